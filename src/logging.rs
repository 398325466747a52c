//! Logging for the provider process: a `tracing` subscriber that writes hclog-style JSON lines
//! to stderr, which go-plugin inside Terraform parses and re-emits in Terraform's own log.
//!
//! Each line is one JSON object: `@level` (trace/debug/info/warn/error), `@message`,
//! `@module` (`provider` for this crate, the tracing target for dependencies), `@timestamp`
//! (UTC, Go layout `2006-01-02T15:04:05.000000Z07:00`: exactly six fractional digits; go-plugin
//! treats a line whose timestamp does not parse as plain text), then every field of the event
//! and of its enclosing spans (outermost first; inner values win), e.g. `tf_rpc`, `tf_req_id`,
//! `tf_resource_type`.
//!
//! Level: `TF_LOG_PROVIDER` if set, else `TF_LOG` — TRACE, DEBUG, INFO, WARN, ERROR, OFF, or
//! JSON (= TRACE), case-insensitive; any other non-empty value means TRACE, as in Terraform.
//! When neither is set only errors are written: Terraform drops provider stderr entirely unless
//! TF_LOG* is set, so formatting lines nobody reads would only cost time. Dependencies
//! (tonic, h2, hyper...) are capped at INFO so TF_LOG=trace stays readable.

use std::io::Write;
use std::sync::Mutex;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Tracing targets that belong to this crate (library and binary); shown as `@module: provider`.
const OWN_TARGETS: &[&str] = &["astro_provider", "terraform_provider_astro"];

/// The `@module` value for this crate's events (terraform-plugin-go uses the same).
const OWN_MODULE: &str = "provider";

/// The most verbose level dependencies may log at.
const DEPENDENCY_MAX_LEVEL: LevelFilter = LevelFilter::INFO;

/// The level used when neither TF_LOG_PROVIDER nor TF_LOG is set.
const DEFAULT_LEVEL: LevelFilter = LevelFilter::ERROR;

/// Installs the JSON-to-stderr subscriber as the global default, with the level from the
/// environment (see the module docs). Calling it twice is harmless (the second call does
/// nothing).
pub fn init() {
    let provider = std::env::var("TF_LOG_PROVIDER").ok();
    let general = std::env::var("TF_LOG").ok();
    let level = level_from_env(provider.as_deref(), general.as_deref());
    let installed = tracing_subscriber::registry()
        .with(HclogJsonLayer::new(std::io::stderr).with_filter(targets(level)))
        .try_init()
        .is_ok();
    if installed {
        install_panic_hook();
    }
}

/// Makes a panic start with `panic: ` on stderr, the prefix Terraform looks for in provider
/// output to show a crash report; the default hook (location, backtrace) follows.
fn install_panic_hook() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(non-string panic payload)".to_owned());
        let _ = writeln!(std::io::stderr(), "panic: {message}");
        default_hook(info);
    }));
}

/// Resolves the log level from TF_LOG_PROVIDER (`provider`) and TF_LOG (`general`).
pub fn level_from_env(provider: Option<&str>, general: Option<&str>) -> LevelFilter {
    let chosen = [provider, general]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|v| !v.is_empty());
    match chosen.map(str::to_ascii_uppercase).as_deref() {
        None => DEFAULT_LEVEL,
        Some("OFF") => LevelFilter::OFF,
        Some("ERROR") => LevelFilter::ERROR,
        Some("WARN") => LevelFilter::WARN,
        Some("INFO") => LevelFilter::INFO,
        Some("DEBUG") => LevelFilter::DEBUG,
        Some(_) => LevelFilter::TRACE, // TRACE, JSON, and anything Terraform would call invalid
    }
}

/// The per-target filter: this crate at `level`, dependencies at most at INFO.
pub fn targets(level: LevelFilter) -> Targets {
    OWN_TARGETS
        .iter()
        .fold(Targets::new(), |t, target| t.with_target(*target, level))
        .with_default(level.min(DEPENDENCY_MAX_LEVEL))
}

/// A tracing layer writing one hclog-style JSON object per event to a writer.
#[derive(Debug)]
pub struct HclogJsonLayer<W> {
    make_writer: W,
}

impl<W> HclogJsonLayer<W>
where
    W: for<'a> MakeWriter<'a> + 'static,
{
    /// A layer writing to `make_writer` (e.g. `std::io::stderr`).
    pub fn new(make_writer: W) -> Self {
        Self { make_writer }
    }
}

/// Fields recorded on a span, kept in the span's extensions.
#[derive(Debug, Default)]
struct SpanFields(Map<String, Value>);

impl<S, W> Layer<S> for HclogJsonLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = SpanFields::default();
        attrs.record(&mut JsonVisitor(&mut fields.0));
        span.extensions_mut().insert(fields);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<SpanFields>() {
            values.record(&mut JsonVisitor(&mut fields.0));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(span_fields) = span.extensions().get::<SpanFields>() {
                    fields.extend(span_fields.0.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        event.record(&mut JsonVisitor(&mut fields));
        let meta = event.metadata();
        let line = format_line(
            *meta.level(),
            meta.target(),
            &timestamp(time::OffsetDateTime::now_utc()),
            fields,
        );
        // Logging must never take the provider down; a failed stderr write is dropped.
        let _ = self.make_writer.make_writer().write_all(line.as_bytes());
    }
}

/// Formats one log line (with its trailing newline). `fields` may hold `message`, which
/// becomes `@message`; every other field is written under its own name.
pub fn format_line(
    level: Level,
    target: &str,
    timestamp: &str,
    mut fields: Map<String, Value>,
) -> String {
    let message = match fields.remove("message") {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let mut object = Map::new();
    object.insert("@level".into(), level_name(level).into());
    object.insert("@message".into(), message.into());
    object.insert("@module".into(), module_name(target).into());
    object.insert("@timestamp".into(), timestamp.into());
    for (key, value) in fields {
        if !key.starts_with('@') {
            object.insert(key, value);
        }
    }
    let mut line = Value::Object(object).to_string();
    line.push('\n');
    line
}

/// hclog's level names.
fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `provider` for this crate's targets, the target itself otherwise.
fn module_name(target: &str) -> &str {
    let own = OWN_TARGETS.iter().any(|own| {
        target == *own
            || target
                .strip_prefix(own)
                .is_some_and(|rest| rest.starts_with("::"))
    });
    if own { OWN_MODULE } else { target }
}

/// Formats a time in Go's `2006-01-02T15:04:05.000000Z07:00` layout, in UTC.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(FORMAT)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000000Z".to_owned())
}

/// Records tracing fields into a JSON map (numbers and booleans stay typed).
struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for JsonVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name().into(), value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

/// A `MakeWriter` collecting output in memory (for tests of this layer).
#[derive(Debug, Clone, Default)]
pub struct CapturedLines(std::sync::Arc<Mutex<Vec<u8>>>);

impl CapturedLines {
    /// Everything written so far, split into lines.
    pub fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl std::io::Write for CapturedLines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut bytes) = self.0.lock() {
            bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedLines {
    type Writer = CapturedLines;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests;

//! Helpers shared by the end-to-end benchmarks: a seeded sandbox, RSS sampling of the
//! provider process, and the LRO / approval latency probes.

pub mod rss;
pub mod sbx;
pub mod waits;

pub use sbx::Sbx;

//! The `DataSource` implementation: reads what the checks need once, then runs each check.

use std::collections::BTreeMap;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::checks::*;
use super::nsg::*;
use super::reach::*;
use super::world::*;
use super::*;
use crate::azure::{self, ArmCallCtx};
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::resource::DataSource;
use crate::framework::schema::Schema;
use crate::provider::connection_data_source::connection_status;

#[async_trait]
impl DataSource for PrivateLinkCheck {
    type Model = PrivateLinkCheckModel;

    fn type_name(&self) -> &'static str {
        "astro_private_link_check"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        cancel: CancellationToken,
        config: PrivateLinkCheckModel,
    ) -> Result<PrivateLinkCheckModel, Diagnostics> {
        let client = self.client.get()?;
        let arm = &client.arm;
        let invalid = |what: &str, e: azure::IdError| {
            Diagnostics::from(Diagnostic::error(format!("Invalid {what}"), e.to_string()))
        };
        let pe_id = azure::PrivateEndpointId::parse(&config.private_endpoint_id)
            .map_err(|e| invalid("private_endpoint_id", e))?;
        let record_id = azure::ARecordId::parse(&config.dns_record_id)
            .map_err(|e| invalid("dns_record_id", e))?;
        let ctx = ArmCallCtx::new(READ_TIMEOUT, cancel.clone());
        let reading = |what: &str, e: &azure::Error| {
            Diagnostics::from(crate::provider::errors::azure_error("reading", what, e))
        };

        let pe = match arm.get(&pe_id, &ctx).await {
            Ok(Some(pe)) => pe,
            Ok(None) => {
                return Err(Diagnostic::error(
                    format!("{pe_id} not found"),
                    "The private endpoint does not exist. Check private_endpoint_id; when it refers to an endpoint in the same configuration, reference its id attribute so that Terraform reads the check after creating it.",
                )
                .into());
            }
            Err(e) => return Err(reading(&pe_id.to_string(), &e)),
        };
        let s = connection_status(&pe);
        let ip = arm
            .private_endpoint_ip(&pe, &ctx)
            .await
            .map_err(|e| reading(&format!("the network interface of {pe_id}"), &e))?;
        let pe_subnet = pe
            .properties
            .as_ref()
            .and_then(|p| p.subnet.as_ref())
            .and_then(|s| s.id.clone());
        let record = arm
            .get(&record_id, &ctx)
            .await
            .map_err(|e| reading(&record_id.to_string(), &e))?;
        let zone = record_id.zone();
        let (links, records) = tokio::join!(
            arm.list_virtual_network_links(&zone, &ctx),
            arm.list_a_records(&zone, &ctx),
        );
        let links = links.map_err(|e| reading(&format!("the links of {zone}"), &e))?;

        let mut checks = vec![
            connection_check(&pe_id, &s),
            record_check(&record_id, record.as_ref(), ip.as_deref()),
        ];
        let mut world = World {
            vnets: BTreeMap::new(),
        };
        let subnets = agent_subnets(&config, pe_subnet.as_deref());
        let mut agent_vnets: Vec<String> = Vec::new();
        for sid in &subnets {
            if let Some(v) = vnet_of_subnet(sid)
                && !agent_vnets.iter().any(|a| key(a) == key(&v))
            {
                agent_vnets.push(v);
            }
        }
        let linked: Vec<String> = links
            .iter()
            .filter_map(|l| l.virtual_network_id().map(str::to_string))
            .collect();
        checks.push(resolve_check(arm, &ctx, &mut world, &record_id, &agent_vnets, &linked).await);
        let pe_vnet = pe_subnet.as_deref().and_then(vnet_of_subnet);
        checks.push(reach_check(arm, &ctx, &mut world, pe_vnet.as_deref(), &agent_vnets).await);
        checks.push(zone_records_check(
            &record_id,
            records.as_deref().map_err(ToString::to_string),
            &linked,
        ));
        checks.push(
            nsg_check(
                arm,
                &ctx,
                &mut world,
                &subnets,
                pe_subnet.as_deref(),
                ip.as_deref(),
            )
            .await,
        );
        if let Some(probe) = &config.probe {
            let fqdn = format!("{}.{}", record_id.name, record_id.zone_name);
            checks.extend(super::probe::run(probe, &fqdn, ip.as_deref(), &cancel).await);
        }

        let ok = checks.iter().all(|c| c.ok);
        if !ok && config.fail_on_error == Some(true) {
            let mut detail = String::from("fail_on_error is set and these checks failed:\n");
            for c in checks.iter().filter(|c| !c.ok) {
                detail.push_str(&format!("\n* {}: {}\n  Fix: {}\n", c.name, c.detail, c.fix));
            }
            return Err(Diagnostic::error(
                format!(
                    "Private Link check failed: {}",
                    checks
                        .iter()
                        .filter(|c| !c.ok)
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                detail,
            )
            .into());
        }
        Ok(PrivateLinkCheckModel {
            checks: Some(checks),
            ok: Some(ok),
            ..config
        })
    }
}

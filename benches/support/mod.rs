//! Helpers of the end-to-end benchmarks alone (the sandbox, workspaces and HCL come from
//! tests/common): RSS sampling of the provider process, and the LRO / approval latency probes.

pub mod rss;
pub mod waits;

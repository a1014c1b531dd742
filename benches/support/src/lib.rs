//! Benchmark plumbing shared by the SDK's benches (`benches/*.rs`) and the Python peers
//! (`scripts/bench-peers.sh`):
//!
//! * [`fixture`]: the checked-in captured page of 500 demo tickets (`benches/fixtures/`), and how it was
//!   captured from the simulator;
//! * [`fixed`]: a local HTTP server that answers every request with the same bytes, so that a client's
//!   decode is measured with next to no transport (the binary `fixed-page-server` serves it to other
//!   processes);
//! * [`targets`]: the simulators a paging bench runs against, in-process or started by the peers script;
//! * [`plain`]: the baseline a user would write by hand, a reqwest loop over `nextPageUrl`;
//! * [`rounds`]: rounds of measurements, min and median, ratios, the machine load, and JSON lines for
//!   the peers script to merge with the Python figures.

pub mod fixed;
pub mod fixture;
pub mod plain;
pub mod rounds;
pub mod targets;

//! dondoc-seed: data that is not the product's own — the demo programme
//! (`dondoc seed demo`, and the first start with `demo.enabled`) and
//! synthetic data at national scale for benchmarks (`dondoc seed synthetic`).
//! Kept out of `dondoc-core` so the production library carries no fixtures.

pub mod demo;
pub mod synthetic;

//! jiuye-seeds has one job: the platform's reference code tables, committed as CSV
//! files under `seeds/code_tables/` (dbt-seed sense: 区县 GB/T 2260, 行业 GB/T 4754-2017,
//! 文化程度 GB/T 4658, 性别 GB/T 2261.1, 职业 GB/T 6565-2015 and the platform's own
//! lists), and the demo-export generator that writes files shaped like the legacy
//! systems' exports described in `shared/contracts/source-feeds.md`.
//!
//! It depends on no other jiuye crate.

pub mod code_tables;
pub mod demo;
mod error;

pub use code_tables::{CodeRow, CodeTable, code_table, code_table_names, code_tables};
pub use demo::{DEMO_DEFECT_KINDS, DemoConfig, DemoFile, DemoSummary, generate_demo};
pub use error::SeedError;

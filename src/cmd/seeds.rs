use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

#[derive(Subcommand)]
pub enum SeedsCommand {
    /// Write demo exports (employer registry and monthly employment registrations, with
    /// seasonality, corrections and a small rate of defects) into a directory.
    Generate {
        #[arg(long)]
        out: PathBuf,
        /// First year of data.
        #[arg(long, default_value_t = 2024)]
        first_year: i32,
        #[arg(long, default_value_t = 2)]
        years: u32,
        /// Volume relative to the default (1.0 ≈ 110,000 hires a year).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        #[arg(long, default_value_t = 20240101)]
        seed: u64,
    },
}

pub fn run(command: SeedsCommand) -> anyhow::Result<ExitCode> {
    match command {
        SeedsCommand::Generate {
            out,
            first_year,
            years,
            scale,
            seed,
        } => {
            let summary = jiuye_seeds::generate_demo(
                &out,
                &jiuye_seeds::DemoConfig {
                    first_year,
                    years,
                    scale,
                    seed,
                },
            )?;
            let rows: usize = summary.files.iter().map(|f| f.rows).sum();
            eprintln!("wrote {} files, {rows} rows, to {}", summary.files.len(), out.display());
            for (kind, n) in &summary.defects {
                eprintln!("  defect {kind}: {n} rows");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

//! `jiuye model …`: the semantic model's own tooling.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ModelCommand {
    /// Check model files and report every problem with its file and line: unknown
    /// dimensions, a dimension an indicator's source lacks, formula cycles and unknown
    /// references, duplicate codes, and misuse of non-additive measures (summing an
    /// identifier, adding two distinct counts). Exits 1 when there is any.
    ///
    /// Without --dir, checks the model built into this binary (semantic/model/).
    /// Example: jiuye model check --dir semantic/model
    Check {
        /// A directory of model files (*.yaml) to check instead of the built-in model.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

pub fn run(command: ModelCommand) -> anyhow::Result<ExitCode> {
    let ModelCommand::Check { dir } = command;
    let files: Vec<(String, String)> = match &dir {
        None => jiuye_semantic::BUILTIN_MODEL
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect(),
        Some(dir) => {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read model directory {}", dir.display()))? {
                let path = entry?.path();
                if path.extension().and_then(|e| e.to_str()) == Some("yaml") {
                    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                    files.push((path.display().to_string(), text));
                }
            }
            files.sort();
            files
        }
    };
    let problems = jiuye_semantic::check_model(&files);
    if problems.is_empty() {
        println!("model ok: {} files", files.len());
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        println!("{p}");
    }
    eprintln!("{} problem(s) in the model", problems.len());
    Ok(ExitCode::from(1))
}

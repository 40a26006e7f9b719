//! The one error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong while loading a code table or writing the demo exports.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// `code_table(name)` was asked for a table this crate does not ship.
    #[error("unknown code table `{name}`; known tables: {known}")]
    UnknownTable {
        /// The name that was asked for.
        name: String,
        /// The known table names, comma separated.
        known: String,
    },
    /// A committed code-table CSV does not have the expected shape.
    #[error("code table file seeds/code_tables/{file}, line {line}: {reason}")]
    MalformedTable {
        /// File name inside `seeds/code_tables/`, e.g. `district.csv`.
        file: &'static str,
        /// 1-based line number in that file (0 when the CSV reader could not tell).
        line: u64,
        /// What is wrong with the line.
        reason: String,
    },
    /// The demo configuration cannot be generated (e.g. zero years, negative scale).
    #[error("invalid demo configuration: {0}")]
    InvalidConfig(String),
    /// Creating the output folder or writing a file failed.
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        /// The folder or file being written.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CSV writer refused a record.
    #[error("cannot write CSV {}: {source}", .path.display())]
    Csv {
        /// The file being written.
        path: PathBuf,
        /// The underlying CSV error.
        #[source]
        source: csv::Error,
    },
    /// Text could not be re-encoded for a file (e.g. a character GB18030 cannot hold).
    #[error("cannot encode {}: {reason}", .path.display())]
    Encoding {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

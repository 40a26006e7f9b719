//! The cell-key method (consistent perturbation), as statistical offices use it against
//! differencing (ABS TableBuilder; Eurostat's SDC guidelines): every figure a caller
//! without detail permission sees is perturbed by a small amount drawn from the cell's
//! own rows, so that
//!
//! - the same rows always give the same figure, however the question is phrased (asking
//!   again, through a board or with a filter that changes nothing cannot average the
//!   noise away), and
//! - two overlapping cells are perturbed independently, so subtracting one published
//!   figure from another (the city total minus every district but one; a filter on all
//!   education levels but one) does not give back a suppressed cell.
//!
//! Parameters (docs/security.md):
//! - **record key**: the first 16 bits of the row's pseudonym (`person_key`, HMAC-SM3 under
//!   the warehouse secret), so no caller can compute it;
//! - **cell key**: the sum of the record keys of the rows behind the figure (the
//!   measure's guard rows: `companions`), modulo 2^16 — additive, so a rollup holds it
//!   like any sum and answers exactly what detail would;
//! - **p-table**: perturbation −2, −1, 0, +1, +2 with probabilities 0.1, 0.2, 0.4, 0.2, 0.1
//!   (mean 0, variance 1.2), chosen by the cell key's place in [0, 1);
//! - **counts** become n + d; a person count never below the small-cell threshold (smaller
//!   ones are suppressed before), any other count never below 1; zero stays zero;
//! - **sums** become s + (d / 2) × (s / persons): at most one average person's
//!   contribution either way, so a difference of two sums hides whether one person's
//!   amount is in it.
//! Ratios, comparisons and targets are computed from the perturbed figures.

/// Cell keys are taken modulo this: the range of a record key.
pub const KEY_MODULUS: i64 = 1 << 16;

/// The largest perturbation of a count.
pub const MAX_PERTURBATION: i64 = 2;

/// (perturbation, upper bound of its share of [0, 1) in tenths): the p-table.
const PTABLE: [(i64, i64); 5] = [(-2, 1), (-1, 3), (0, 7), (1, 9), (2, 10)];

/// The record key of a pseudonym: its first four hex digits (what `Expr::RecordKey`
/// computes in SQL).
pub fn record_key(pseudonym: &str) -> i64 {
    pseudonym.get(..4).and_then(|h| i64::from_str_radix(h, 16).ok()).unwrap_or(0)
}

/// The perturbation a cell key draws from the p-table.
pub fn perturbation(key_sum: i64) -> i64 {
    let tenths = key_sum.rem_euclid(KEY_MODULUS) * 10 / KEY_MODULUS;
    PTABLE
        .iter()
        .find(|(_, bound)| tenths < *bound)
        .map_or(MAX_PERTURBATION, |(d, _)| *d)
}

/// A perturbed count: `n + d`, at least `floor`; zero stays zero.
pub fn perturb_count(n: f64, key_sum: f64, floor: i64) -> f64 {
    if n <= 0.0 {
        return n;
    }
    (n + perturbation(key_sum as i64) as f64).max(floor as f64)
}

/// A perturbed sum over the rows of `persons` persons: `s + (d / 2) × (s / persons)`.
pub fn perturb_sum(sum: f64, key_sum: f64, persons: f64) -> f64 {
    if persons <= 0.0 {
        return sum;
    }
    let d = perturbation(key_sum as i64) as f64;
    sum + d / MAX_PERTURBATION as f64 * (sum / persons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p_table_draws_each_perturbation_with_its_probability() {
        let mut counts = std::collections::BTreeMap::new();
        for key in 0..KEY_MODULUS {
            *counts.entry(perturbation(key)).or_insert(0i64) += 1;
        }
        let share = |d: i64| counts[&d] as f64 / KEY_MODULUS as f64;
        for (d, p) in [(-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1)] {
            assert!((share(d) - p).abs() < 1e-4, "{d}: {}", share(d));
        }
        // The key is taken modulo 2^16, negative sums included.
        assert_eq!(perturbation(KEY_MODULUS + 5), perturbation(5));
        assert_eq!(perturbation(-1), perturbation(KEY_MODULUS - 1));
    }

    #[test]
    fn counts_keep_their_floor_and_sums_move_by_at_most_one_average_person() {
        assert_eq!(perturb_count(0.0, 12345.0, 5), 0.0);
        assert_eq!(perturb_count(5.0, 0.0, 5), 5.0, "−2 would go below the threshold");
        assert_eq!(perturb_count(9.0, 0.0, 5), 7.0);
        assert_eq!(perturb_count(9.0, 65535.0, 5), 11.0);
        assert_eq!(perturb_sum(1000.0, 0.0, 10.0), 900.0);
        assert_eq!(perturb_sum(1000.0, 65535.0, 10.0), 1100.0);
        assert_eq!(perturb_sum(1000.0, 40000.0, 10.0), 1000.0);
        assert_eq!(record_key("ffff0123"), 65535);
        assert_eq!(record_key("0010abcd"), 16);
    }
}

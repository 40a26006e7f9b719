//! Small random helpers on top of rand 0.9 (`random`, `random_range`), kept here so the
//! generator depends on as little of the rand API as possible.

use rand::Rng;
use rand::rngs::StdRng;

/// True with probability `probability` (values outside 0..=1 are clamped, never a panic).
pub(crate) fn chance(rng: &mut StdRng, probability: f64) -> bool {
    rng.random::<f64>() < probability
}

/// A uniformly chosen element of a non-empty slice (`None` for an empty one).
pub(crate) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        None
    } else {
        items.get(rng.random_range(0..items.len()))
    }
}

/// A uniformly chosen `&'static str` of a constant list, `""` if the list is empty.
pub(crate) fn pick_str(rng: &mut StdRng, items: &[&'static str]) -> &'static str {
    pick(rng, items).copied().unwrap_or("")
}

/// A value chosen with probability proportional to its weight.
/// Falls back to the last item (or `fallback` for an empty list).
pub(crate) fn pick_weighted<T: Copy>(rng: &mut StdRng, items: &[(T, f64)], fallback: T) -> T {
    let total: f64 = items.iter().map(|(_, weight)| weight.max(0.0)).sum();
    if total <= 0.0 {
        return items.last().map(|(value, _)| *value).unwrap_or(fallback);
    }
    let mut target = rng.random::<f64>() * total;
    for (value, weight) in items {
        let weight = weight.max(0.0);
        if target < weight {
            return *value;
        }
        target -= weight;
    }
    items.last().map(|(value, _)| *value).unwrap_or(fallback)
}

/// Precomputed cumulative weights for picking an index many times (binary search).
pub(crate) struct CumulativeWeights {
    cumulative: Vec<f64>,
}

impl CumulativeWeights {
    pub(crate) fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut running = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|weight| {
                running += weight.max(0.0);
                running
            })
            .collect();
        CumulativeWeights { cumulative }
    }

    /// An index chosen with probability proportional to its weight; `None` if all are 0.
    pub(crate) fn pick(&self, rng: &mut StdRng) -> Option<usize> {
        let total = *self.cumulative.last()?;
        if total <= 0.0 {
            return None;
        }
        let target = rng.random::<f64>() * total;
        let index = self.cumulative.partition_point(|&running| running <= target);
        Some(index.min(self.cumulative.len() - 1))
    }
}

/// A standard normal deviate (Box–Muller).
pub(crate) fn standard_normal(rng: &mut StdRng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1]
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A triangular deviate in (-1, 1), peaked at 0.
pub(crate) fn triangular(rng: &mut StdRng) -> f64 {
    rng.random::<f64>() + rng.random::<f64>() - 1.0
}

/// `expected` rounded up or down at random so that the mean stays `expected`.
pub(crate) fn stochastic_round(rng: &mut StdRng, expected: f64) -> usize {
    if !expected.is_finite() || expected <= 0.0 {
        return 0;
    }
    let whole = expected.floor();
    let extra = usize::from(chance(rng, expected - whole));
    whole as usize + extra
}

/// Fisher–Yates shuffle.
pub(crate) fn shuffle<T>(rng: &mut StdRng, items: &mut [T]) {
    for upper in (1..items.len()).rev() {
        let other = rng.random_range(0..=upper);
        items.swap(upper, other);
    }
}

/// A set of indices `0..capacity` with O(1) insert, remove and uniform random pick.
pub(crate) struct IndexPool {
    members: Vec<usize>,
    slot_of: Vec<Option<usize>>,
}

impl IndexPool {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        IndexPool {
            members: Vec::with_capacity(capacity),
            slot_of: vec![None; capacity],
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    pub(crate) fn insert(&mut self, index: usize) {
        if index >= self.slot_of.len() {
            self.slot_of.resize(index + 1, None);
        }
        if self.slot_of[index].is_none() {
            self.slot_of[index] = Some(self.members.len());
            self.members.push(index);
        }
    }

    pub(crate) fn remove(&mut self, index: usize) {
        let Some(slot) = self.slot_of.get(index).copied().flatten() else {
            return;
        };
        self.members.swap_remove(slot);
        if let Some(&moved) = self.members.get(slot) {
            self.slot_of[moved] = Some(slot);
        }
        self.slot_of[index] = None;
    }

    pub(crate) fn pick(&self, rng: &mut StdRng) -> Option<usize> {
        pick(rng, &self.members).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn index_pool_keeps_members_consistent() {
        let mut pool = IndexPool::with_capacity(10);
        for index in 0..10 {
            pool.insert(index);
        }
        pool.remove(3);
        pool.remove(9);
        pool.remove(3);
        assert_eq!(pool.len(), 8);
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let picked = pool.pick(&mut rng).expect("non-empty");
            assert!(picked != 3 && picked != 9);
        }
    }

    #[test]
    fn cumulative_weights_skip_zero_weights() {
        let weights = CumulativeWeights::new([0.0, 1.0, 0.0, 3.0]);
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..500 {
            let index = weights.pick(&mut rng).expect("has weight");
            assert!(index == 1 || index == 3);
        }
    }
}

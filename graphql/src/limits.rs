//! Bounds on every request, so no caller can make the server do unbounded work: the
//! body's size, the query's cost (`schema::COST` per root field, checked before
//! execution), the time a request may take, how many run at once, and how often one
//! token may ask. Argument sizes are checked where each argument is read (`input`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits a server runs with (`jiuye serve --help` lists their flags).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Longest a request may run before it is answered `TIMEOUT`.
    pub request_timeout: Duration,
    /// Requests executing at once, over all callers; more wait up to `queue_wait`.
    pub max_concurrent: usize,
    pub queue_wait: Duration,
    /// Sustained requests per second one token may send, and the burst above it.
    pub per_token_rate: f64,
    pub per_token_burst: f64,
    /// Highest cost of one request (see `schema::COST`).
    pub max_cost: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 256 * 1024,
            request_timeout: Duration::from_secs(30),
            max_concurrent: 64,
            queue_wait: Duration::from_secs(5),
            per_token_rate: 50.0,
            per_token_burst: 200.0,
            max_cost: 1_000,
        }
    }
}

/// Token buckets per token: `rate` tokens a second, at most `burst` saved up.
pub(crate) struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<u64, (f64, Instant)>>,
}

/// Tokens tracked at most; past it, buckets that have filled up again are forgotten
/// (a full bucket is what a new one would be).
const MAX_TRACKED: usize = 100_000;

impl RateLimiter {
    pub(crate) fn new(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter {
            rate,
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket, or says how long until one is available.
    pub(crate) fn check(&self, key: u64) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_TRACKED {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, (level, at)| *level + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (level, at) = buckets.entry(key).or_insert((self.burst, now));
        *level = (*level + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *level >= 1.0 {
            *level -= 1.0;
            Ok(())
        } else if self.rate > 0.0 {
            Err(Duration::from_secs_f64(((1.0 - *level) / self.rate).max(0.001)))
        } else {
            Err(Duration::from_secs(3600))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let limiter = RateLimiter::new(1000.0, 3.0);
        assert!((0..3).all(|_| limiter.check(1).is_ok()));
        let wait = limiter.check(1).unwrap_err();
        assert!(wait <= Duration::from_millis(2), "{wait:?}");
        assert!(limiter.check(2).is_ok(), "another token has its own bucket");
        std::thread::sleep(Duration::from_millis(5));
        assert!(limiter.check(1).is_ok(), "refilled");
        let slow = RateLimiter::new(0.0, 1.0);
        assert!(slow.check(9).is_ok());
        assert!(slow.check(9).is_err());
    }
}

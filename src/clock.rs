//! Time as the caller hands it in (milliseconds since the Unix epoch), backoff with jitter, and
//! `Retry-After`. The core reads no clock and no entropy: the jitter comes from a seeded PRNG.

/// Milliseconds since the Unix epoch, as `Date.now()` gives them.
pub type Millis = u64;

/// xorshift64*: tiny, deterministic for tests, and plenty for spreading retries.
#[derive(Clone, Debug)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `[max / 2, max]` ("equal jitter": never retries at once, never waits the full cap in lockstep).
    pub fn spread(&mut self, max: Millis) -> Millis {
        let half = max / 2;
        half + self.next() % (max - half + 1)
    }
}

/// Exponential backoff for the `attempt`-th consecutive failure (1-based): 1 s, 2 s, 4 s, … capped at 30 s.
pub fn backoff(attempt: u32, jitter: &mut Jitter) -> Millis {
    const BASE: Millis = 1_000;
    const CAP: Millis = 30_000;
    let exp = BASE.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    jitter.spread(exp.min(CAP))
}

/// `Retry-After`: delta-seconds or an HTTP-date (IMF-fixdate). Capped at ten minutes.
pub fn retry_after(value: &str, now: Millis) -> Option<Millis> {
    const CAP: Millis = 600_000;
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.saturating_mul(1000).min(CAP));
    }
    let at = parse_http_date(value)?;
    Some(at.saturating_sub(now).min(CAP))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`
fn parse_http_date(s: &str) -> Option<Millis> {
    let mut parts = s.split_whitespace();
    let _weekday = parts.next()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1, "Feb" => 2, "Mar" => 3, "Apr" => 4, "May" => 5, "Jun" => 6,
        "Jul" => 7, "Aug" => 8, "Sep" => 9, "Oct" => 10, "Nov" => 11, "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || day == 0 || day > 31 || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    u64::try_from(days).ok().map(|d| (d * 86_400 + h * 3_600 + m * 60 + sec) * 1_000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2026-11-29T04:22:56.123Z`
pub fn rfc3339(ms: Millis) -> String {
    let days = (ms / 86_400_000) as i64;
    let rem = ms % 86_400_000;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1_000 % 60,
        rem % 1_000
    )
}

/// `12.3 s`, for messages.
pub fn seconds(ms: Millis) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_583_501_981_000), "2020-03-06T13:39:41.000Z");
        assert_eq!(rfc3339(1_795_926_176_123), "2026-11-29T04:22:56.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn retry_after_forms() {
        let now = 784_111_777_000 - 10_000; // ten seconds before Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after("7", now), Some(7_000));
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(10_000));
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + 20_000), Some(0));
        assert_eq!(retry_after("99999", now), Some(600_000));
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("Sun, 06 Foo 1994 08:49:37 GMT", now), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let mut j = Jitter::new(42);
        for attempt in 1..=10 {
            let max = (1_000u64 << (attempt - 1)).min(30_000);
            for _ in 0..50 {
                let d = backoff(attempt, &mut j);
                assert!(d >= max / 2 && d <= max, "attempt {attempt}: {d}");
            }
        }
        let spread: std::collections::BTreeSet<_> = (0..20).map(|_| backoff(5, &mut j)).collect();
        assert!(spread.len() > 10, "no jitter: {spread:?}");
    }
}

//! Allowlists: the entries a team accepts (by vulnerability, package, image), read from the JSON
//! the front ends make of a YAML or JSON file, and which of them apply on a given day.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{ErrorKind, GateError};
use crate::image_list;
use crate::vuln::Vulnerability;

pub use crate::vuln::AllowlistHit;

/// One allowlist entry: every field given must match; at least one of `vulnerability`,
/// `package` and `image` is given; `reason` is required; `expires` is a UTC date (the entry
/// applies through that day) or an RFC 3339 date-time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<String>,
    /// A package name (`openssl`) or name-version as the engine writes it (`openssl-1.1.1k`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// An image reference; compared after Docker's normalisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// What the allowlist did in this run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowlistSummary {
    pub source: Option<String>,
    pub entries: u32,
    /// The entries themselves, so the report can be decided again with the same allowlist
    /// (the viewer starts from them).
    #[serde(default)]
    pub rules: Vec<AllowlistEntry>,
    /// Vulnerabilities covered, over all images.
    pub applied: u32,
    /// Entries past their expiry date: they no longer apply.
    pub expired: Vec<ExpiredEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredEntry {
    pub entry: u32,
    pub expires: String,
    pub reason: String,
    /// The entry in short, e.g. `CVE-2019-1543 in libssl1.1`.
    pub matches: String,
}

/// Reads an allowlist already turned into JSON (the front ends read YAML or JSON files):
/// a list of entries, or `{"entries": [...]}`. Errors name the source and the entry.
pub fn parse_allowlist(json: &str, source: &str) -> Result<Vec<AllowlistEntry>, GateError> {
    let bad = |message: String| GateError::new(ErrorKind::Config, format!("{source}: {message}"));
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let list = match value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(mut map) => match map.remove("entries") {
            Some(serde_json::Value::Array(list)) if map.is_empty() => list,
            _ => return Err(bad("expected a list of entries, or an object with only `entries: [...]`".into())),
        },
        serde_json::Value::Null => Vec::new(),
        _ => return Err(bad("expected a list of entries".into())),
    };
    let mut entries = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        let n = i + 1;
        let entry: AllowlistEntry = serde_json::from_value(item).map_err(|e| bad(format!("entry {n}: {e}")))?;
        let blank = |f: &Option<String>| f.as_deref().is_some_and(|s| s.trim().is_empty());
        if entry.vulnerability.is_none() && entry.package.is_none() && entry.image.is_none() {
            return Err(bad(format!("entry {n}: give at least one of `vulnerability`, `package`, `image`")));
        }
        if blank(&entry.vulnerability) || blank(&entry.package) || blank(&entry.image) {
            return Err(bad(format!("entry {n}: a field is empty")));
        }
        if entry.reason.trim().is_empty() {
            return Err(bad(format!("entry {n}: `reason` is required: say why this is acceptable")));
        }
        if let Some(expires) = &entry.expires {
            expiry_end(expires).map_err(|why| bad(format!("entry {n}: `expires` {why}")))?;
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// The first millisecond at which an entry no longer applies.
fn expiry_end(expires: &str) -> Result<Millis, String> {
    let date = |s: &str| -> Option<(i64, u32, u32)> {
        let mut parts = s.splitn(3, '-');
        let y = parts.next()?.parse().ok()?;
        let m = parts.next()?.parse().ok()?;
        let d = parts.next()?.parse().ok()?;
        (s.len() == 10 && (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d)).then_some((y, m, d))
    };
    let invalid = || format!("\"{expires}\" is not a date (YYYY-MM-DD, UTC) or an RFC 3339 date-time");
    if let Some((y, m, d)) = date(expires) {
        // Through the whole day, in UTC.
        return to_millis(y, m, d, 0).map(|start| start + 86_400_000).ok_or_else(invalid);
    }
    // 2026-12-31T18:00:00Z or with an offset.
    let (day, time) = expires.split_once(['T', 't']).ok_or_else(invalid)?;
    let (y, m, d) = date(day).ok_or_else(invalid)?;
    let (clock, offset_min) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0i64)
    } else {
        let at = time.rfind(['+', '-']).ok_or_else(invalid)?;
        let (clock, offset) = time.split_at(at);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (h, mm) = offset[1..].split_once(':').ok_or_else(invalid)?;
        let h: i64 = h.parse().map_err(|_| invalid())?;
        let mm: i64 = mm.parse().map_err(|_| invalid())?;
        (clock, sign * (h * 60 + mm))
    };
    let mut hms = clock.split(':');
    let h: i64 = hms.next().and_then(|v| v.parse().ok()).ok_or_else(invalid)?;
    let mi: i64 = hms.next().and_then(|v| v.parse().ok()).ok_or_else(invalid)?;
    let s: f64 = hms.next().unwrap_or("0").parse().map_err(|_| invalid())?;
    if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0.0..61.0).contains(&s) {
        return Err(invalid());
    }
    let seconds = h * 3600 + mi * 60 + s as i64 - offset_min * 60;
    to_millis(y, m, d, seconds).ok_or_else(invalid)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn to_millis(y: i64, m: u32, d: u32, seconds: i64) -> Option<Millis> {
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    u64::try_from(days * 86_400 + seconds).ok().map(|s| s * 1000)
}

impl AllowlistEntry {
    pub(crate) fn covers(&self, image: &str, v: &Vulnerability) -> bool {
        let vuln_ok = self.vulnerability.as_deref().is_none_or(|id| id.eq_ignore_ascii_case(&v.id));
        let package_ok = self.package.as_deref().is_none_or(|p| p == v.package_name || p == v.package);
        let image_ok = self.image.as_deref().is_none_or(|i| i == image || image_list::normalize(i) == image_list::normalize(image));
        vuln_ok && package_ok && image_ok
    }

    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.vulnerability {
            parts.push(v.clone());
        }
        if let Some(p) = &self.package {
            parts.push(format!("in {p}"));
        }
        if let Some(i) = &self.image {
            parts.push(format!("for {i}"));
        }
        parts.join(" ")
    }
}

/// The entries that apply on the day of `now` (with their 1-based numbers), and the expired ones.
/// An unreadable date (refused by [`parse_allowlist`], so only from a hand-made options object)
/// does not apply: a gate errs on the side of failing.
pub(crate) fn active_entries(allowlist: &[AllowlistEntry], now: Millis) -> (Vec<(u32, &AllowlistEntry)>, Vec<ExpiredEntry>) {
    let mut active = Vec::new();
    let mut expired = Vec::new();
    for (i, entry) in allowlist.iter().enumerate() {
        let n = i as u32 + 1;
        match entry.expires.as_deref().map(expiry_end) {
            None => active.push((n, entry)),
            Some(Ok(end)) if now < end => active.push((n, entry)),
            Some(Ok(_)) => expired.push(ExpiredEntry {
                entry: n,
                expires: entry.expires.clone().unwrap_or_default(),
                reason: entry.reason.clone(),
                matches: entry.describe(),
            }),
            Some(Err(_)) => {}
        }
    }
    (active, expired)
}


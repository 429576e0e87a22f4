//! The standard `process_*` families (the names every Prometheus client library uses), read
//! from Linux's /proc at scrape time, and the memory limit of the container the process runs in
//! (cgroup v2 or v1), so an alert can compare resident memory with it. On other systems the
//! families are left out.

use std::fs;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Clock ticks per second in /proc/*/stat: the kernel's USER_HZ, 100 on every Linux ABI
/// (Prometheus' own procfs library relies on the same constant).
const USER_HZ: f64 = 100.0;
/// cgroup v1 reports "no limit" as a huge page-aligned number rather than "max".
const UNLIMITED: u64 = 1 << 60;

#[derive(Debug)]
pub struct ProcessCollector;

#[derive(Debug, Default)]
struct Process {
    cpu_seconds: f64,
    resident_bytes: f64,
    virtual_bytes: f64,
    start_time_seconds: f64,
    threads: f64,
    open_fds: f64,
    max_fds: Option<f64>,
}

fn read() -> Option<Process> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    // the command name (field 2) is in parentheses and may contain spaces: split after it
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let field = |n: usize| -> Option<f64> { fields.get(n - 3)?.parse().ok() };
    let boot_time: f64 = fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())?;
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let kib = |key: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        let value: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(value * 1024.0)
    };
    Some(Process {
        cpu_seconds: (field(14)? + field(15)?) / USER_HZ,
        resident_bytes: kib("VmRSS:")?,
        virtual_bytes: kib("VmSize:")?,
        start_time_seconds: boot_time + field(22)? / USER_HZ,
        threads: field(20)?,
        open_fds: fs::read_dir("/proc/self/fd").ok()?.count() as f64,
        max_fds: max_open_files(),
    })
}

fn max_open_files() -> Option<f64> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// The memory limit of this process's cgroup, if any.
fn memory_limit() -> Option<u64> {
    let v2 = fs::read_to_string("/sys/fs/cgroup/memory.max").ok();
    let raw =
        v2.or_else(|| fs::read_to_string("/sys/fs/cgroup/memory/memory.limit_in_bytes").ok())?;
    let limit: u64 = raw.trim().parse().ok()?; // "max" (v2, unlimited) does not parse
    (limit < UNLIMITED).then_some(limit)
}

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: f64,
) -> Result<(), std::fmt::Error> {
    let metric = ConstGauge::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, MetricType::Gauge)?)
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        if let Some(p) = read() {
            let cpu = ConstCounter::new(p.cpu_seconds);
            cpu.encode(encoder.encode_descriptor(
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds",
                None,
                MetricType::Counter,
            )?)?;
            let e = &mut encoder;
            gauge(
                e,
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                p.resident_bytes,
            )?;
            gauge(
                e,
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes",
                p.virtual_bytes,
            )?;
            gauge(
                e,
                "process_start_time_seconds",
                "Start time of the process since the Unix epoch in seconds",
                p.start_time_seconds,
            )?;
            gauge(
                e,
                "process_threads",
                "Number of OS threads in the process",
                p.threads,
            )?;
            gauge(
                e,
                "process_open_fds",
                "Number of open file descriptors",
                p.open_fds,
            )?;
            if let Some(max) = p.max_fds {
                gauge(
                    e,
                    "process_max_fds",
                    "Maximum number of open file descriptors",
                    max,
                )?;
            }
        }
        if let Some(limit) = memory_limit() {
            gauge(
                &mut encoder,
                "gogotime_memory_limit_bytes",
                "Memory limit of the container (cgroup) this replica runs in; absent when unlimited",
                limit as f64,
            )?;
        }
        Ok(())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_read_from_proc() {
        let p = read().expect("/proc/self is readable");
        assert!(p.resident_bytes > 0.0);
        assert!(p.threads >= 1.0);
        assert!(p.open_fds >= 3.0, "stdin, stdout and stderr at least");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs_f64();
        assert!(p.start_time_seconds <= now + 1.0 && p.start_time_seconds > now - 86_400.0);
    }
}

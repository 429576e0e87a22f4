//! HTTP request metrics (RED: rate, errors, duration, plus size and concurrency). Labels are
//! bounded by construction: the route is axum's route template (never the raw path), the
//! method one of the standard ones or `other`, the status its class.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Latency buckets (seconds): from a cached asset to a large export's first byte.
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Response size buckets (bytes): 256 B up to 64 MiB, ×4 each.
const SIZE_BUCKETS: [f64; 10] = [
    256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0, 67108864.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status_class: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

pub struct HttpMetrics {
    requests: Family<RequestLabels, Counter>,
    duration: Family<RouteLabels, Histogram>,
    size: Family<RouteLabels, Histogram>,
    in_flight: Gauge,
}

/// Counts a request as in flight until dropped.
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Where a response's size is recorded once its body has been sent.
pub struct SizeRecorder(Histogram);

impl SizeRecorder {
    pub fn record(&self, bytes: u64) {
        self.0.observe(bytes as f64);
    }
}

impl HttpMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "gogotime_http_requests",
            "HTTP requests answered, by method, route template and status class",
            requests.clone(),
        );
        let duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(LATENCY_BUCKETS)
        });
        registry.register(
            "gogotime_http_request_duration_seconds",
            "Time from receiving a request to sending the response head, by method and route template",
            duration.clone(),
        );
        let size =
            Family::<RouteLabels, Histogram>::new_with_constructor(|| Histogram::new(SIZE_BUCKETS));
        registry.register(
            "gogotime_http_response_size_bytes",
            "Bytes of response body sent (after compression), by method and route template",
            size.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "gogotime_http_requests_in_flight",
            "Requests being handled now (until the response head is sent)",
            in_flight.clone(),
        );
        Self {
            requests,
            duration,
            size,
            in_flight,
        }
    }

    pub fn start(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// Records an answered request; returns where to record the body size once it is sent.
    pub fn observe(
        &self,
        method: &str,
        route: &str,
        status: u16,
        latency: Duration,
    ) -> SizeRecorder {
        let method = method_label(method);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route: route.to_string(),
                status_class: status_class(status),
            })
            .inc();
        let route = RouteLabels {
            method,
            route: route.to_string(),
        };
        self.duration
            .get_or_create(&route)
            .observe(latency.as_secs_f64());
        SizeRecorder(self.size.get_or_create(&route).clone())
    }
}

/// The standard methods by name; anything else a client invents counts as `other`.
pub fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

pub fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label("GET"), "GET");
        assert_eq!(method_label("BREW"), "other");
        assert_eq!(method_label("get"), "other");
    }

    #[test]
    fn statuses_are_counted_by_class() {
        assert_eq!(status_class(101), "1xx");
        assert_eq!(status_class(204), "2xx");
        assert_eq!(status_class(304), "3xx");
        assert_eq!(status_class(429), "4xx");
        assert_eq!(status_class(503), "5xx");
        assert_eq!(status_class(999), "5xx");
    }
}

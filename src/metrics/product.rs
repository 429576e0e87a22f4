//! Product activity: what people do with GoGoTime, recorded by the services where each thing
//! happens (one place per kind of event), so every channel (API, web, CLI) counts the same way.
//! Every label value is one of the enums below; the counters' series start at zero so rates
//! work from the first event (histograms appear with their first observation).

use std::time::{Duration, Instant};

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Label values in Prometheus' lower snake case (the derive would write `RateLimited`).
macro_rules! label_values {
    ($($name:ident { $($variant:ident => $value:literal),+ $(,)? })+) => {$(
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value),+
                }
            }
        }

        impl EncodeLabelValue for $name {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
                std::fmt::Write::write_str(encoder, self.as_str())
            }
        }
    )+};
}

label_values! {
    EntrySource { Api => "api", Web => "web", Timer => "timer", Import => "import" }
    SignInOutcome { Success => "success", Failure => "failure", RateLimited => "rate_limited" }
    SsoOutcome { SignedIn => "signed_in", LinkAsked => "link_asked", Linked => "linked", Refused => "refused" }
    ImportOutcome { Applied => "applied", DryRun => "dry_run", Rejected => "rejected", Failed => "failed" }
    ExportFormat { Csv => "csv", Json => "json", Xlsx => "xlsx", Pdf => "pdf", Ical => "ical" }
    ExportOutcome { Completed => "completed", Failed => "failed", Cancelled => "cancelled" }
}

/// Where a time entry was created.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum EntrySource {
    /// `POST …/time-entries` over the JSON API.
    Api,
    /// The web pages' entry forms and week grid.
    Web,
    /// A timer started (API or web, including "continue").
    Timer,
    /// A CSV import that was applied.
    Import,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum SignInOutcome {
    Success,
    /// Wrong email or password, or a disabled account.
    Failure,
    /// Refused without checking the password: too many recent failures for the account or address.
    RateLimited,
}

/// How a single sign-on callback ended (issue 18).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum SsoOutcome {
    /// Signed in (an existing identity, or an account made just now).
    SignedIn,
    /// An account has the address: its password was asked for.
    LinkAsked,
    /// The password was proven and the identity linked.
    Linked,
    /// Refused: state, code, token, email or domain did not pass.
    Refused,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Entries written.
    Applied,
    /// A preview; nothing written.
    DryRun,
    /// Nothing written because of the file or its rows (the uploader's to fix).
    Rejected,
    /// Nothing written because of a fault on our side.
    Failed,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    Xlsx,
    Pdf,
    Ical,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ExportOutcome {
    Completed,
    /// Stopped by a fault on our side.
    Failed,
    /// The client went away before the end.
    Cancelled,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: EntrySource,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SignInLabels {
    outcome: SignInOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SsoLabels {
    outcome: SsoOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ImportLabels {
    outcome: ImportOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ExportLabels {
    format: ExportFormat,
    outcome: ExportOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FormatLabels {
    format: ExportFormat,
}

/// Seconds, from a small CSV to a 100 MiB import or a year-long XLSX export.
const JOB_BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

const SOURCES: [EntrySource; 4] = [
    EntrySource::Api,
    EntrySource::Web,
    EntrySource::Timer,
    EntrySource::Import,
];
const FORMATS: [ExportFormat; 5] = [
    ExportFormat::Csv,
    ExportFormat::Json,
    ExportFormat::Xlsx,
    ExportFormat::Pdf,
    ExportFormat::Ical,
];

pub struct ProductMetrics {
    entries_created: Family<SourceLabels, Counter>,
    sign_ins: Family<SignInLabels, Counter>,
    sso_sign_ins: Family<SsoLabels, Counter>,
    imports: Family<ImportLabels, Counter>,
    import_duration: Histogram,
    exports: Family<ExportLabels, Counter>,
    export_duration: Family<FormatLabels, Histogram>,
}

impl Default for ProductMetrics {
    fn default() -> Self {
        let m = Self {
            entries_created: Family::default(),
            sign_ins: Family::default(),
            sso_sign_ins: Family::default(),
            imports: Family::default(),
            import_duration: Histogram::new(JOB_BUCKETS),
            exports: Family::default(),
            export_duration: Family::new_with_constructor(|| Histogram::new(JOB_BUCKETS)),
        };
        // series at zero from the start (the guards returned are dropped at once)
        for source in SOURCES {
            let _ = m.entries_created.get_or_create(&SourceLabels { source });
        }
        for outcome in [
            SignInOutcome::Success,
            SignInOutcome::Failure,
            SignInOutcome::RateLimited,
        ] {
            let _ = m.sign_ins.get_or_create(&SignInLabels { outcome });
        }
        for outcome in [
            SsoOutcome::SignedIn,
            SsoOutcome::LinkAsked,
            SsoOutcome::Linked,
            SsoOutcome::Refused,
        ] {
            let _ = m.sso_sign_ins.get_or_create(&SsoLabels { outcome });
        }
        for outcome in [
            ImportOutcome::Applied,
            ImportOutcome::DryRun,
            ImportOutcome::Rejected,
            ImportOutcome::Failed,
        ] {
            let _ = m.imports.get_or_create(&ImportLabels { outcome });
        }
        for format in FORMATS {
            for outcome in [
                ExportOutcome::Completed,
                ExportOutcome::Failed,
                ExportOutcome::Cancelled,
            ] {
                let _ = m.exports.get_or_create(&ExportLabels { format, outcome });
            }
        }
        m
    }
}

impl ProductMetrics {
    pub(super) fn register(&self, registry: &mut Registry) {
        registry.register(
            "gogotime_time_entries_created",
            "Time entries created, by source: api, web, timer, import",
            self.entries_created.clone(),
        );
        registry.register(
            "gogotime_sign_in_attempts",
            "Password sign-ins (web and API token) by outcome: success, failure, rate_limited",
            self.sign_ins.clone(),
        );
        registry.register(
            "gogotime_sso_sign_ins",
            "Single sign-on callbacks by outcome: signed_in, link_asked, linked, refused",
            self.sso_sign_ins.clone(),
        );
        registry.register(
            "gogotime_imports",
            "CSV imports by outcome: applied, dry_run, rejected (the file's fault), failed (ours)",
            self.imports.clone(),
        );
        registry.register(
            "gogotime_import_duration_seconds",
            "Time an import or its dry run took, whatever the outcome",
            self.import_duration.clone(),
        );
        registry.register(
            "gogotime_exports",
            "Exports (entries as CSV/JSON/XLSX, summary PDF, calendar feed) by format and outcome",
            self.exports.clone(),
        );
        registry.register(
            "gogotime_export_duration_seconds",
            "Time from the export request to its last byte produced, by format",
            self.export_duration.clone(),
        );
    }

    pub fn entries_created(&self, source: EntrySource, count: u64) {
        self.entries_created
            .get_or_create(&SourceLabels { source })
            .inc_by(count);
    }

    pub fn sign_in(&self, outcome: SignInOutcome) {
        self.sign_ins.get_or_create(&SignInLabels { outcome }).inc();
    }

    pub fn sso(&self, outcome: SsoOutcome) {
        self.sso_sign_ins
            .get_or_create(&SsoLabels { outcome })
            .inc();
    }

    pub fn import(&self, outcome: ImportOutcome, took: Duration) {
        self.imports.get_or_create(&ImportLabels { outcome }).inc();
        self.import_duration.observe(took.as_secs_f64());
    }

    /// Starts timing an export; record its end with [`ExportRun::finish`].
    pub fn export(&self, format: ExportFormat) -> ExportRun {
        ExportRun {
            format,
            started: Instant::now(),
            counts: self.exports.clone(),
            durations: self.export_duration.clone(),
            finished: false,
        }
    }
}

/// One export in progress. Dropped without `finish` (a task that panicked or was dropped), it
/// counts as failed, so no export goes uncounted.
pub struct ExportRun {
    format: ExportFormat,
    started: Instant,
    counts: Family<ExportLabels, Counter>,
    durations: Family<FormatLabels, Histogram>,
    finished: bool,
}

impl ExportRun {
    pub fn finish(mut self, outcome: ExportOutcome) {
        self.record(outcome);
    }

    /// Not an export after all (the request was refused before any work): counts nothing.
    pub fn discard(mut self) {
        self.finished = true;
    }

    fn record(&mut self, outcome: ExportOutcome) {
        self.finished = true;
        let format = self.format;
        self.counts
            .get_or_create(&ExportLabels { format, outcome })
            .inc();
        self.durations
            .get_or_create(&FormatLabels { format })
            .observe(self.started.elapsed().as_secs_f64());
    }
}

impl Drop for ExportRun {
    fn drop(&mut self) {
        if !self.finished {
            self.record(ExportOutcome::Failed);
        }
    }
}

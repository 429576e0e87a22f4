//! CSV (RFC 4180: CRLF line ends, fields quoted where needed, UTF-8) and JSON (one array of
//! objects), encoded page by page in a task while the client reads.

use tokio::sync::mpsc;

use super::lines::{Line, Pages};
use super::{CHUNK_BYTES, COLUMNS};
use crate::metrics::product::{ExportOutcome, ExportRun};

#[derive(Debug, Clone, Copy)]
pub enum Encoding {
    Csv,
    Json,
}

type Sender = mpsc::Sender<std::io::Result<Vec<u8>>>;

/// Streams the export into `sender` from a task of its own; stops early when the client goes.
pub fn spawn(pages: Pages, encoding: Encoding, sender: Sender, export: ExportRun) {
    tokio::spawn(async move {
        match run(pages, encoding, &sender).await {
            Ok(()) => export.finish(ExportOutcome::Completed),
            Err(Stop::Gone) => export.finish(ExportOutcome::Cancelled),
            Err(Stop::Failed(error)) => {
                export.finish(ExportOutcome::Failed);
                tracing::error!(%error, "an export stopped half-way");
                // the client sees an aborted download rather than a file that looks complete
                let _ = sender
                    .send(Err(std::io::Error::other("export failed")))
                    .await;
            }
        }
    });
}

/// Why producing stopped early.
enum Stop {
    /// The client went away: nothing to report.
    Gone,
    Failed(String),
}

async fn run(mut pages: Pages, encoding: Encoding, sender: &Sender) -> Result<(), Stop> {
    let mut encoder = Encoder::new(encoding);
    let mut out = encoder.start()?;
    while let Some(page) = pages
        .next()
        .await
        .map_err(|e| Stop::Failed(format!("{e:#}")))?
    {
        for line in &page {
            encoder.line(line, &pages.currency, &mut out)?;
            if out.len() >= CHUNK_BYTES {
                send(sender, std::mem::take(&mut out)).await?;
            }
        }
    }
    encoder.end(&mut out)?;
    send(sender, out).await
}

async fn send(sender: &Sender, bytes: Vec<u8>) -> Result<(), Stop> {
    if bytes.is_empty() {
        return Ok(());
    }
    sender.send(Ok(bytes)).await.map_err(|_| Stop::Gone)
}

enum Encoder {
    // boxed: the builder is large and there is one encoder per export
    Csv(Box<csv::WriterBuilder>),
    Json { first: bool },
}

fn failed(e: impl std::fmt::Display) -> Stop {
    Stop::Failed(e.to_string())
}

impl Encoder {
    fn new(encoding: Encoding) -> Self {
        match encoding {
            Encoding::Csv => {
                let mut builder = csv::WriterBuilder::new();
                builder
                    .terminator(csv::Terminator::CRLF)
                    .buffer_capacity(1024);
                Encoder::Csv(Box::new(builder))
            }
            Encoding::Json => Encoder::Json { first: true },
        }
    }

    fn start(&mut self) -> Result<Vec<u8>, Stop> {
        match self {
            Encoder::Csv(builder) => {
                let mut out = Vec::new();
                record(builder, COLUMNS, &mut out)?;
                Ok(out)
            }
            Encoder::Json { .. } => Ok(b"[".to_vec()),
        }
    }

    fn line(&mut self, line: &Line, currency: &str, out: &mut Vec<u8>) -> Result<(), Stop> {
        match self {
            Encoder::Csv(builder) => record(builder, line.to_record(currency), out)?,
            Encoder::Json { first } => {
                out.extend_from_slice(if *first { b"\n" } else { b",\n" });
                *first = false;
                serde_json::to_writer(&mut *out, &line.to_json(currency)).map_err(failed)?;
            }
        }
        Ok(())
    }

    fn end(&mut self, out: &mut Vec<u8>) -> Result<(), Stop> {
        match self {
            Encoder::Csv(_) => {}
            Encoder::Json { .. } => out.extend_from_slice(b"\n]\n"),
        }
        Ok(())
    }
}

/// Appends one CSV record (quoted where RFC 4180 needs it) to `out`.
fn record<I>(builder: &csv::WriterBuilder, fields: I, out: &mut Vec<u8>) -> Result<(), Stop>
where
    I: IntoIterator,
    I::Item: AsRef<[u8]>,
{
    let mut writer = builder.from_writer(out);
    writer.write_record(fields).map_err(failed)?;
    writer.flush().map_err(failed)
}

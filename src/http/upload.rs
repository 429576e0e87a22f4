//! Uploaded files are streamed to disk, never held in memory: the one copy loop for the API's
//! import and the import page. A leaf of `http`, like `cookies`.

use std::path::Path;

use axum::extract::multipart::Field;
use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;

/// How a file field's copy ended.
pub enum Stored {
    /// All of it is on disk: this many bytes.
    Whole(u64),
    /// It went past the limit; what is on disk is a truncated copy to throw away.
    TooLarge,
}

pub enum UploadError {
    /// The request body could not be read as multipart (a message for the person).
    Read(String),
    /// Writing the temporary file failed (the server's problem).
    Write(std::io::Error),
}

/// Copies the field into a new file at `to`, stopping as soon as it passes `limit` bytes.
pub async fn store(field: &mut Field<'_>, to: &Path, limit: u64) -> Result<Stored, UploadError> {
    let mut out = tokio::fs::File::create(to)
        .await
        .map_err(UploadError::Write)?;
    let mut written = 0u64;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            // the route's body limit ran out before ours: the same answer
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Ok(Stored::TooLarge),
            Err(e) => return Err(UploadError::Read(e.body_text())),
        };
        written += chunk.len() as u64;
        if written > limit {
            return Ok(Stored::TooLarge);
        }
        out.write_all(&chunk).await.map_err(UploadError::Write)?;
    }
    out.flush().await.map_err(UploadError::Write)?;
    Ok(Stored::Whole(written))
}

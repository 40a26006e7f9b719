//! The server's writer: requests hand their events to one task that appends them in
//! batches (one transaction for many requests), in the order they arrived.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::event::AuditEvent;
use crate::store::AuditLog;

/// Events waiting at most; past it, a request waits for the writer (nothing is dropped).
const QUEUE: usize = 10_000;
/// Events appended in one transaction at most.
const BATCH: usize = 500;

enum Message {
    Event(AuditEvent),
    Flush(oneshot::Sender<()>),
}

/// Where a server sends its audit events. Cloning shares the one writer.
#[derive(Clone)]
pub struct AuditSink {
    queue: mpsc::Sender<Message>,
}

impl AuditSink {
    /// Starts the writer task on the current runtime.
    pub fn start(log: AuditLog) -> AuditSink {
        let (queue, inbox) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(log, inbox));
        AuditSink { queue }
    }

    /// Queues `event`; waits only when the writer is a whole queue behind.
    pub async fn record(&self, event: AuditEvent) {
        if self.queue.send(Message::Event(event)).await.is_err() {
            tracing::error!("the audit writer has stopped; an audit event was not recorded");
        }
    }

    /// Returns once every event queued before the call is stored.
    pub async fn flush(&self) {
        let (done, stored) = oneshot::channel();
        if self.queue.send(Message::Flush(done)).await.is_ok() {
            let _ = stored.await;
        }
    }
}

async fn write_batches(log: AuditLog, mut inbox: mpsc::Receiver<Message>) {
    let mut batch = Vec::new();
    let mut waiting = Vec::new();
    while let Some(first) = inbox.recv().await {
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Event(e) => batch.push(e),
                Message::Flush(done) => waiting.push(done),
            }
            next = if batch.len() < BATCH { inbox.try_recv().ok() } else { None };
        }
        store(&log, std::mem::take(&mut batch)).await;
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

/// Appends `batch`, retrying until the warehouse takes it: an audit record is not given
/// up because the database was briefly unavailable.
async fn store(log: &AuditLog, batch: Vec<AuditEvent>) {
    if batch.is_empty() {
        return;
    }
    let mut delay = Duration::from_millis(100);
    loop {
        match log.append(batch.clone()).await {
            Ok(_) => return,
            Err(_) if log.is_closed() => {
                tracing::error!(
                    records = batch.len(),
                    "the warehouse was closed with audit records not stored (close it after `AuditSink::flush`)"
                );
                return;
            }
            Err(e) => {
                tracing::error!(records = batch.len(), error = %e, "cannot append audit records (retrying)");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

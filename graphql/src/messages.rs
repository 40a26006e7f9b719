//! 消息中心 over GraphQL: a signed-in user's messages (their own and their role's),
//! unread counts, read marks, and `messageAdded`, a subscription (graphql-ws over
//! WebSocket at `/graphql/ws`) that delivers new messages as they are posted — by this
//! server or another process (the ETL), since it reads the table.

use std::time::Duration;

use async_graphql::{Context, Object, SimpleObject, Subscription};
use chrono::Utc;
use futures::Stream;
use jiuye_messages::{Inbox, Message, Reader};

use crate::AppState;
use crate::account::session_token;
use crate::auth::{Access, TokenHolder};
use crate::input::bad_input;

/// Most messages one page lists, and ids one mark may name.
const MAX_PAGE: i32 = 200;
/// How often a live subscription looks for new messages.
const POLL: Duration = Duration::from_secs(2);

#[derive(SimpleObject)]
pub struct MessageView {
    pub id: i64,
    /// UTC.
    pub created_at: String,
    /// etl.finished, etl.failed, quarantine.rate, target.status, password.expiry.
    pub kind: String,
    /// info, warning or critical.
    pub severity: String,
    pub title: String,
    pub body: String,
    /// `user` (to the reader) or `role` (to everyone of the reader's role).
    pub to: String,
    pub read: bool,
}

impl From<Message> for MessageView {
    fn from(m: Message) -> MessageView {
        MessageView {
            id: m.id,
            created_at: m.created_at,
            kind: m.kind,
            severity: m.severity,
            title: m.title,
            body: m.body,
            to: m.to,
            read: m.read,
        }
    }
}

/// The reader behind the request: a session's user and their role.
pub(crate) fn reader(ctx: &Context<'_>) -> async_graphql::Result<Reader> {
    session_token(ctx)?;
    Ok(Reader {
        username: ctx.data::<TokenHolder>()?.0.clone(),
        role: ctx.data::<Access>()?.role().map(|r| r.name.clone()).unwrap_or_default(),
    })
}

fn internal(e: impl std::fmt::Display) -> async_graphql::Error {
    crate::input::internal("messages", e)
}

fn inbox(ctx: &Context<'_>) -> async_graphql::Result<Inbox> {
    Ok(ctx.data::<AppState>()?.inbox.clone())
}

#[derive(Default)]
pub struct MessageQuery;

#[Object]
impl MessageQuery {
    /// The caller's messages, newest first.
    async fn messages(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] unread_only: bool,
        #[graphql(default = 50)] first: i32,
    ) -> async_graphql::Result<Vec<MessageView>> {
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(bad_input(format!("`first` must be 1–{MAX_PAGE}, not {first}")));
        }
        let reader = reader(ctx)?;
        let list = inbox(ctx)?.list(&reader, unread_only, None, first as u64).await.map_err(internal)?;
        Ok(list.into_iter().map(MessageView::from).collect())
    }

    /// How many of the caller's messages are unread.
    async fn unread_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let reader = reader(ctx)?;
        inbox(ctx)?.unread_count(&reader).await.map_err(internal)
    }
}

#[derive(Default)]
pub struct MessageMutation;

#[Object]
impl MessageMutation {
    /// Marks the caller's messages read: those listed, or all when `ids` is empty.
    /// Returns how many were unread.
    async fn mark_messages_read(&self, ctx: &Context<'_>, ids: Vec<i64>) -> async_graphql::Result<i64> {
        if ids.len() > MAX_PAGE as usize {
            return Err(bad_input(format!("`ids` lists {}; at most {MAX_PAGE}", ids.len())));
        }
        let reader = reader(ctx)?;
        let n = inbox(ctx)?.mark_read(&reader, &ids, Utc::now()).await.map_err(internal)?;
        Ok(n as i64)
    }
}

#[derive(Default)]
pub struct MessageSubscription;

#[Subscription]
impl MessageSubscription {
    /// New messages for the caller, as they are posted (over graphql-ws at
    /// `/graphql/ws`; send the bearer token as `{"Authorization": "Bearer js_…"}` in
    /// `connection_init`).
    async fn message_added(&self, ctx: &Context<'_>) -> async_graphql::Result<impl Stream<Item = MessageView>> {
        let reader = reader(ctx)?;
        let inbox = inbox(ctx)?;
        let start = inbox.newest_id().await.map_err(internal)?;
        let pending: Vec<Message> = Vec::new();
        Ok(futures::stream::unfold(
            (inbox, reader, start, pending),
            |(inbox, reader, mut last, mut pending)| async move {
                loop {
                    if let Some(next) = pending.pop() {
                        return Some((MessageView::from(next), (inbox, reader, last, pending)));
                    }
                    tokio::time::sleep(POLL).await;
                    match inbox.list(&reader, false, Some(last), MAX_PAGE as u64).await {
                        // Newest first: popping from the end delivers them oldest first.
                        Ok(new) => {
                            last = new.first().map_or(last, |m| m.id);
                            pending = new;
                        }
                        Err(e) => tracing::error!(error = %e, "messages: a live listener's read failed"),
                    }
                }
            },
        ))
    }
}

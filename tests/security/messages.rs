//! 消息中心 on SQLite and PostgreSQL: an ETL run posts what it did and which files it
//! quarantined too much of to the data engineers; a login near password expiry tells
//! the user; each reader sees their own and their role's messages, marks only those,
//! and gets new ones live over graphql-ws — as the screens get word of new data.

use chrono::{Duration, Utc};
use futures::{SinkExt, StreamExt};
use jiuye_identity::{Identity, NewUser};
use jiuye_messages::{Audience, Inbox, NewMessage, Severity};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::server::{SESSION_PASSWORD, Server};
use crate::support::{backends, fixtures, server};

const LIST: &str = "{ messages(first: 50) { id kind severity title body to read } unreadCount }";

fn kinds(answer: &Value) -> Vec<String> {
    let list = answer["data"]["messages"].as_array().unwrap_or_else(|| panic!("{answer}"));
    list.iter().map(|m| m["kind"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_and_expiring_passwords_reach_the_right_readers() {
    for db in backends().await {
        let dir = tempfile::tempdir().unwrap();
        let mut regs = fixtures::sample();
        regs.push(fixtures::Reg::hire("BAD1", 30, "310115", "2024-03-09").set("公民身份号码", "31010119900101123"));
        fixtures::write_regs(dir.path(), "employment_registration_20240301.csv", &regs);
        let out = db.cli().args(["etl", "run", "--input"]).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

        let srv = server::start(&db).await;
        let engineer = srv.session(&db, "eng", "data_engineer", None).await;
        let analyst = srv.session(&db, "ana", "city_analyst", None).await;
        let mine = srv.query(&engineer, LIST).await;
        assert_eq!(kinds(&mine), ["quarantine.rate", "etl.finished"], "{mine}");
        assert_eq!(mine["data"]["unreadCount"], 2);
        assert!(
            mine["data"]["messages"][1]["body"].as_str().unwrap().contains("1 quarantined"),
            "{mine}"
        );
        assert_eq!(
            srv.query(&analyst, LIST).await["data"]["unreadCount"],
            0,
            "a load is the engineers' news"
        );

        // Read marks are one's own: the analyst cannot mark the engineers' message.
        let id = mine["data"]["messages"][0]["id"].as_i64().unwrap();
        let mark = format!("mutation {{ markMessagesRead(ids: [{id}]) }}");
        assert_eq!(srv.query(&analyst, &mark).await["data"]["markMessagesRead"], 0);
        assert_eq!(srv.query(&engineer, &mark).await["data"]["markMessagesRead"], 1);
        let after = srv.query(&engineer, LIST).await;
        assert_eq!(
            (
                after["data"]["unreadCount"].as_i64(),
                after["data"]["messages"][0]["read"].as_bool()
            ),
            (Some(1), Some(true))
        );
        let unread = srv.query(&engineer, "{ messages(unreadOnly: true) { kind } }").await;
        assert_eq!(kinds(&unread), ["etl.finished"]);
        let all = srv.query(&engineer, "mutation { markMessagesRead(ids: []) }").await;
        assert_eq!(all["data"]["markMessagesRead"], 1);

        // A password 80 days old: the login says when it expires, once.
        let identity = Identity::new(db.warehouse.clone(), crate::support::keys());
        let user = NewUser {
            username: "old".into(),
            display_name: None,
            role: "viewer".into(),
            district: None,
            password: SESSION_PASSWORD.into(),
        };
        identity.create_user(user, Utc::now() - Duration::days(80)).await.unwrap();
        let login = json!({ "query": format!("mutation {{ login(username: \"old\", password: \"{SESSION_PASSWORD}\") {{ token }} }}") });
        let token = srv.post(None, None, login.clone()).await.2["data"]["login"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        srv.post(None, None, login).await;
        let notice = srv.query(&token, LIST).await;
        assert_eq!(kinds(&notice), ["password.expiry"], "{notice}");
        assert_eq!(notice["data"]["messages"][0]["to"], "user");

        let machine = jiuye_graphql::auth::create_token(&db.warehouse, "data_engineer", None, None)
            .await
            .unwrap();
        let refused = srv.query(&machine, LIST).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "a machine has no inbox: {refused}"
        );
        srv.handle.abort();
        db.cleanup().await;
    }
}

/// A graphql-transport-ws connection to `srv` sending `payload` in `connection_init`.
async fn connect(
    srv: &Server,
    payload: Value,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = format!("{}/graphql/ws", srv.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": payload });
    ws.send(Ws::Text(init.to_string().into())).await.unwrap();
    ws
}

/// The next JSON text frame, within ten seconds.
async fn next_json(ws: &mut (impl StreamExt<Item = Result<Ws, tokio_tungstenite::tungstenite::Error>> + Unpin)) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while let Ok(Some(frame)) = tokio::time::timeout_at(deadline, ws.next()).await {
        match frame {
            Ok(Ws::Text(text)) => return serde_json::from_str(&text).ok(),
            Ok(Ws::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_messages_arrive_live_over_graphql_ws() {
    for db in backends().await {
        let srv = server::start(&db).await;
        let engineer = srv.session(&db, "eng", "data_engineer", None).await;

        let mut refused = connect(&srv, json!({ "Authorization": "Bearer js_not_a_session" })).await;
        let answer = next_json(&mut refused).await;
        assert!(answer.as_ref().is_none_or(|a| a["type"] != "connection_ack"), "{answer:?}");

        let mut ws = connect(&srv, json!({ "Authorization": format!("Bearer {engineer}") })).await;
        assert_eq!(next_json(&mut ws).await.map(|a| a["type"].clone()), Some(json!("connection_ack")));
        let subscribe =
            json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { messageAdded { kind title to } }" } });
        ws.send(Ws::Text(subscribe.to_string().into())).await.unwrap();
        // Give the subscription its starting point before posting.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let inbox = Inbox::new(db.warehouse.clone());
        for (title, audience) in [
            ("给分析员", Audience::Role("city_analyst".into())),
            ("给工程师", Audience::Role("data_engineer".into())),
        ] {
            let message = NewMessage {
                kind: "etl.finished".into(),
                severity: Severity::Info,
                title: title.into(),
                body: "…".into(),
                audience,
                dedup_key: None,
            };
            inbox.post(&message, Utc::now()).await.unwrap();
        }
        let next = next_json(&mut ws).await.expect("a message arrives");
        assert_eq!(next["type"], "next", "{next}");
        assert_eq!(
            next["payload"]["data"]["messageAdded"],
            json!({ "kind": "etl.finished", "title": "给工程师", "to": "role" })
        );
        srv.audit.flush().await;
        let connects = db
            .rows("SELECT outcome FROM meta_audit WHERE action IN ('subscription.connect', 'login.failed') ORDER BY seq")
            .await;
        assert!(
            connects.iter().any(|r| r[0] == "UNAUTHENTICATED") && connects.iter().any(|r| r[0] == "ok"),
            "{connects:?}"
        );
        srv.handle.abort();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_etl_run_is_announced_live_to_readers_of_figures() {
    for db in backends().await {
        let srv = server::start(&db).await;
        let analyst = srv.session(&db, "ana", "city_analyst", None).await;
        let monitor = srv.session(&db, "mon", "monitor", None).await;
        let subscribe = json!({ "id": "d", "type": "subscribe", "payload": { "query": "subscription { dataVersionChanged }" } });

        // A monitor reads no figures: the subscription is refused, not silent.
        let mut refused = connect(&srv, json!({ "Authorization": format!("Bearer {monitor}") })).await;
        assert_eq!(
            next_json(&mut refused).await.map(|a| a["type"].clone()),
            Some(json!("connection_ack"))
        );
        refused.send(Ws::Text(subscribe.to_string().into())).await.unwrap();
        let answer = next_json(&mut refused).await.expect("an answer");
        // Refused before it runs (`error`) or as its first answer's error (`next`).
        let error = match answer["type"].as_str() {
            Some("error") => &answer["payload"][0],
            _ => &answer["payload"]["errors"][0],
        };
        assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{answer}");

        let mut ws = connect(&srv, json!({ "Authorization": format!("Bearer {analyst}") })).await;
        assert_eq!(next_json(&mut ws).await.map(|a| a["type"].clone()), Some(json!("connection_ack")));
        ws.send(Ws::Text(subscribe.to_string().into())).await.unwrap();
        let first = next_json(&mut ws).await.expect("the version now");
        assert_eq!(first["payload"]["data"]["dataVersionChanged"], Value::Null, "no run yet: {first}");

        let dir = tempfile::tempdir().unwrap();
        fixtures::write_regs(dir.path(), "employment_registration_20240301.csv", &fixtures::sample());
        let out = db.cli().args(["etl", "run", "--input"]).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let run = db.rows("SELECT MAX(run_id) FROM meta_etl_run WHERE finished_at IS NOT NULL").await;
        let next = next_json(&mut ws).await.expect("word of the run");
        assert_eq!(
            next["payload"]["data"]["dataVersionChanged"],
            json!(format!("run-{}", run[0][0])),
            "{next}"
        );
        let polled = srv.query(&analyst, "{ dataVersion }").await;
        assert_eq!(polled["data"]["dataVersion"], next["payload"]["data"]["dataVersionChanged"]);
        srv.handle.abort();
        db.cleanup().await;
    }
}

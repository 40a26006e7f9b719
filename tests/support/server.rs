//! A jiuye GraphQL server on a free local port, and a client for it.

use serde_json::Value;

use super::TestDb;

/// The password of users made by `Server::session`.
pub const SESSION_PASSWORD: &str = "Test-Passw0rd-long";

pub struct Server {
    pub base: String,
    /// The server's audit writer (`flush` before reading the log).
    pub audit: jiuye_audit::AuditSink,
    pub client: reqwest::Client,
    pub handle: tokio::task::JoinHandle<()>,
}

pub async fn start(db: &TestDb) -> Server {
    start_with(db, jiuye_graphql::Limits::default()).await
}

/// A server on `db` running within `limits`.
pub async fn start_with(db: &TestDb, limits: jiuye_graphql::Limits) -> Server {
    start_with_keys(db, limits, super::keys()).await
}

/// A server on `db` holding `keys` (from a key file, to see a rotation reach it).
pub async fn start_with_keys(db: &TestDb, limits: jiuye_graphql::Limits, keys: jiuye_privacy::Keys) -> Server {
    let state = jiuye_graphql::AppState::new(db.warehouse.clone(), std::sync::Arc::new(db.catalog.clone()), keys)
        .await
        .unwrap()
        .with_limits(limits);
    let audit = state.audit.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = tokio::spawn(async move {
        let app = jiuye_graphql::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });
    Server {
        base: format!("http://{addr}"),
        audit,
        client: reqwest::Client::new(),
        handle,
    }
}

impl Server {
    /// POSTs `body` to /graphql: status, content type and the JSON answer (or its text).
    pub async fn post(&self, token: Option<&str>, accept: Option<&str>, body: Value) -> (u16, String, Value) {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let ct = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = res.text().await.unwrap();
        (status, ct, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// A session token of a new user `username` holding `role` (in `district`): created
    /// directly, then logged in over GraphQL, with a TOTP code when the role needs one.
    pub async fn session(&self, db: &TestDb, username: &str, role: &str, district: Option<&str>) -> String {
        let identity = jiuye_identity::Identity::new(db.warehouse.clone(), super::keys());
        let new = jiuye_identity::NewUser {
            username: username.into(),
            display_name: None,
            role: role.into(),
            district: district.map(str::to_string),
            password: SESSION_PASSWORD.into(),
        };
        let totp = identity.create_user(new, chrono::Utc::now()).await.expect("create the user");
        let code = totp.map(|t| t.code_at(chrono::Utc::now().timestamp()));
        let login = serde_json::json!({
            "query": "mutation($u: String!, $p: String!, $c: String) { login(username: $u, password: $p, code: $c) { token } }",
            "variables": { "u": username, "p": SESSION_PASSWORD, "c": code },
        });
        let answer = self.post(None, None, login).await.2;
        answer["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login: {answer}"))
            .to_string()
    }

    /// A query's JSON answer for `token`.
    pub async fn query(&self, token: &str, query: &str) -> Value {
        self.post(Some(token), None, serde_json::json!({ "query": query })).await.2
    }
}

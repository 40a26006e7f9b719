//! Headless Chromium driven over the DevTools protocol (a WebSocket of JSON commands):
//! open a page, evaluate script in it, wait for a condition, collect console errors and
//! take screenshots. Debian's `chromium` (`.ci/run` installs it); `JIUYE_TEST_BROWSER`
//! names another binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

pub struct Browser {
    child: std::process::Child,
    _profile: tempfile::TempDir,
    outgoing: mpsc::UnboundedSender<String>,
    pending: Pending,
    next_id: AtomicU64,
    /// Console errors, uncaught exceptions and failed loads, as text.
    errors: Arc<Mutex<Vec<String>>>,
}

fn browser_binary() -> PathBuf {
    let path = std::env::var_os("JIUYE_TEST_BROWSER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "the browser tests need Chromium at {}: `apt-get install chromium` (as .ci/run does), or set JIUYE_TEST_BROWSER",
        path.display()
    );
    path
}

impl Browser {
    /// Starts a headless browser at 1920×1080 with a fresh profile and attaches to its page.
    pub async fn start() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(browser_binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1920,1080",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start chromium");
        let port = wait_for_port(profile.path()).await;
        let targets: Value = reqwest::get(format!("http://127.0.0.1:{port}/json/list"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page = targets
            .as_array()
            .and_then(|t| t.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_string();
        let (socket, _) = tokio_tungstenite::connect_async(page.as_str()).await.expect("DevTools socket");
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut queue) = mpsc::unbounded_channel::<String>();
        tokio::spawn(async move {
            while let Some(text) = queue.recv().await {
                if sink.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let (p, e) = (pending.clone(), errors.clone());
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Ok(text) = message.to_text() else { continue };
                let Ok(value) = serde_json::from_str::<Value>(text) else { continue };
                if let Some(id) = value["id"].as_u64() {
                    if let Some(reply) = p.lock().unwrap().remove(&id) {
                        let _ = reply.send(value);
                    }
                } else if let Some(mut error) = event_error(&value) {
                    let mut errors = e.lock().unwrap();
                    if errors.len() < 20 {
                        if let Some((cut, _)) = error.char_indices().nth(400) {
                            error.truncate(cut);
                        }
                        errors.push(error);
                    }
                }
            }
        });
        let browser = Browser {
            child,
            _profile: profile,
            outgoing,
            pending,
            next_id: AtomicU64::new(1),
            errors,
        };
        for method in ["Runtime.enable", "Page.enable", "Log.enable"] {
            browser.call(method, json!({})).await;
        }
        browser
            .call(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": false }),
            )
            .await;
        browser
    }

    /// Sends one DevTools command and waits for its result (panics on a protocol error).
    pub async fn call(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.outgoing
            .send(json!({ "id": id, "method": method, "params": params }).to_string())
            .unwrap();
        let reply = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .unwrap_or_else(|_| panic!("{method}: no answer in 30 s"))
            .unwrap();
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call("Page.navigate", json!({ "url": url })).await;
    }

    /// The value of `expression` (awaited if it is a promise), as JSON.
    pub async fn eval(&self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
            )
            .await;
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression}: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is truthy (up to `limit`), then returns how long it took.
    pub async fn wait_for(&self, expression: &str, limit: Duration) -> Duration {
        let started = Instant::now();
        loop {
            let value = self
                .call("Runtime.evaluate", json!({ "expression": expression, "returnByValue": true }))
                .await;
            let v = &value["result"]["value"];
            if !(v.is_null() || v == &json!(false) || v == &json!(0) || v == &json!("")) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < limit,
                "waited {limit:?} for `{expression}`; errors: {:?}; page: {}",
                self.errors(),
                self.eval("document.body.innerText.slice(0, 600)").await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Writes a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" })).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// What the page reported as errors so far.
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Chromium writes its DevTools port to the profile once it listens.
async fn wait_for_port(profile: &Path) -> u16 {
    let file = profile.join("DevToolsActivePort");
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&file)
            && let Some(port) = text.lines().next().and_then(|l| l.trim().parse().ok())
        {
            return port;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "Chromium did not start in 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The error an event reports, if it reports one.
fn event_error(event: &Value) -> Option<String> {
    let params = &event["params"];
    match event["method"].as_str()? {
        "Runtime.exceptionThrown" => Some(format!(
            "exception: {} at {}:{}",
            params["exceptionDetails"]["exception"]["description"],
            params["exceptionDetails"]["url"],
            params["exceptionDetails"]["lineNumber"]
        )),
        "Runtime.consoleAPICalled" if params["type"] == "error" => Some(format!("console.error: {}", params["args"])),
        "Log.entryAdded" if params["entry"]["level"] == "error" => {
            Some(format!("log: {} {}", params["entry"]["text"], params["entry"]["url"]))
        }
        _ => None,
    }
}

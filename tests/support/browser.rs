//! A headless browser driven over a WebSocket of JSON commands: open a page, evaluate
//! script in it, wait for a condition, click with the mouse, collect console errors and
//! take screenshots. Chromium speaks the DevTools protocol (Debian's `chromium`;
//! `JIUYE_TEST_BROWSER` names another binary), Firefox ESR WebDriver BiDi (Debian's
//! `firefox-esr`; `JIUYE_TEST_FIREFOX`). `.ci/run` installs both.

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
    protocol: Protocol,
}

/// How commands are spelled to this browser.
enum Protocol {
    /// Chromium's DevTools protocol, attached to the page target.
    DevTools,
    /// WebDriver BiDi (Firefox): commands name the browsing context of the tab.
    Bidi { context: String },
}

fn binary(variable: &str, default: &str, package: &str) -> PathBuf {
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.exists(),
        "the browser tests need {default}: `apt-get install {package}` (as .ci/run does), or set {variable}",
    );
    path
}

impl Browser {
    /// Starts headless Chromium at 1920×1080 with a fresh profile and attaches to its page.
    pub async fn start() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(binary("JIUYE_TEST_BROWSER", "/usr/bin/chromium", "chromium"))
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
        let browser = Browser::connect(child, profile, &page, Protocol::DevTools).await;
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

    /// Starts headless Firefox ESR at 1920×1080 with a fresh profile and opens a WebDriver
    /// BiDi session on its tab.
    pub async fn firefox() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(binary("JIUYE_TEST_FIREFOX", "/usr/bin/firefox-esr", "firefox-esr"))
            .args([
                "--headless",
                "--no-remote",
                "--window-size=1920,1080",
                "--remote-debugging-port=0",
                "--profile",
            ])
            .arg(profile.path())
            .arg("about:blank")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start firefox");
        let socket = bidi_address(child.stderr.take().unwrap()).await;
        let mut browser = Browser::connect(
            child,
            profile,
            &format!("{socket}/session"),
            Protocol::Bidi { context: String::new() },
        )
        .await;
        browser.call("session.new", json!({ "capabilities": {} })).await;
        let tree = browser.call("browsingContext.getTree", json!({})).await;
        let context = tree["contexts"][0]["context"].as_str().expect("a tab").to_string();
        browser.protocol = Protocol::Bidi { context: context.clone() };
        browser.call("session.subscribe", json!({ "events": ["log.entryAdded"] })).await;
        browser
            .call(
                "browsingContext.setViewport",
                json!({ "context": context, "viewport": { "width": 1920, "height": 1080 } }),
            )
            .await;
        browser
    }

    /// Attaches to a browser's command socket: one task writes commands, one reads
    /// answers (to their waiting callers) and events (errors kept).
    async fn connect(child: std::process::Child, profile: tempfile::TempDir, url: &str, protocol: Protocol) -> Browser {
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("browser socket");
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
        Browser {
            child,
            _profile: profile,
            outgoing,
            pending,
            next_id: AtomicU64::new(1),
            errors,
            protocol,
        }
    }

    /// Sends one command and waits for its result (panics on a protocol error).
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
        assert!(reply.get("error").is_none() && reply["type"] != "error", "{method}: {reply}");
        reply["result"].clone()
    }

    pub async fn goto(&self, url: &str) {
        match &self.protocol {
            Protocol::DevTools => self.call("Page.navigate", json!({ "url": url })).await,
            Protocol::Bidi { context } => {
                let params = json!({ "context": context, "url": url, "wait": "none" });
                self.call("browsingContext.navigate", params).await
            }
        };
    }

    /// The value of `expression` (awaited if it is a promise), as JSON. An expression,
    /// not statements: write `(a.click(), true)`, not `a.click(); true`.
    pub async fn eval(&self, expression: &str) -> Value {
        self.evaluate(expression, true)
            .await
            .unwrap_or_else(|exception| panic!("{expression}: {exception}"))
    }

    /// `expression`'s value as JSON, or the exception it threw.
    async fn evaluate(&self, expression: &str, await_promise: bool) -> Result<Value, Value> {
        match &self.protocol {
            Protocol::DevTools => {
                let params = json!({ "expression": expression, "returnByValue": true, "awaitPromise": await_promise });
                let result = self.call("Runtime.evaluate", params).await;
                match result.get("exceptionDetails") {
                    Some(exception) => Err(exception.clone()),
                    None => Ok(result["result"]["value"].clone()),
                }
            }
            Protocol::Bidi { context } => {
                // BiDi answers typed remote values; JSON text comes back as one string.
                let wrapped =
                    format!("(async () => {{ const v = await ({expression}); return v === undefined ? 'null' : JSON.stringify(v); }})()");
                let params =
                    json!({ "expression": wrapped, "target": { "context": context }, "awaitPromise": true, "resultOwnership": "none" });
                let result = self.call("script.evaluate", params).await;
                if result["type"] == "exception" {
                    return Err(result["exceptionDetails"].clone());
                }
                Ok(result["result"]["value"]
                    .as_str()
                    .and_then(|text| serde_json::from_str(text).ok())
                    .unwrap_or(Value::Null))
            }
        }
    }

    /// Waits until `expression` is truthy (up to `limit`), then returns how long it took.
    pub async fn wait_for(&self, expression: &str, limit: Duration) -> Duration {
        let started = Instant::now();
        loop {
            let v = self.evaluate(expression, false).await.unwrap_or(Value::Null);
            if !(v.is_null() || v == json!(false) || v == json!(0) || v == json!("")) {
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

    /// A left click with the mouse at (x, y) CSS pixels of the viewport.
    pub async fn click_at(&self, x: f64, y: f64) {
        match &self.protocol {
            Protocol::DevTools => {
                for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
                    let event = json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 });
                    self.call("Input.dispatchMouseEvent", event).await;
                }
            }
            Protocol::Bidi { context } => {
                let (x, y) = (x.round() as i64, y.round() as i64);
                let actions = json!([{ "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" }, "actions": [
                    { "type": "pointerMove", "x": x, "y": y },
                    { "type": "pointerDown", "button": 0 },
                    { "type": "pointerUp", "button": 0 },
                ] }]);
                self.call("input.performActions", json!({ "context": context, "actions": actions }))
                    .await;
            }
        }
    }

    /// Writes a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let shot = match &self.protocol {
            Protocol::DevTools => self.call("Page.captureScreenshot", json!({ "format": "png" })).await,
            Protocol::Bidi { context } => self.call("browsingContext.captureScreenshot", json!({ "context": context })).await,
        };
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

/// Firefox names its BiDi socket on standard error once it listens.
async fn bidi_address(stderr: std::process::ChildStderr) -> String {
    let (found, wait) = oneshot::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut found = Some(found);
        // Read to the end, so the browser never blocks on a full pipe.
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(address) = line.split("listening on ").nth(1)
                && let Some(sender) = found.take()
            {
                let _ = sender.send(address.trim().to_string());
            }
        }
    });
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .expect("Firefox did not open its WebDriver BiDi socket in 30 s")
        .expect("Firefox exited before listening")
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
        // WebDriver BiDi: console errors and uncaught exceptions alike.
        "log.entryAdded" if params["level"] == "error" => Some(format!("{}: {}", params["type"], params["text"])),
        _ => None,
    }
}

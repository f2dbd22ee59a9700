//! The language server over the LSP protocol, in process: a client drives
//! `kvet::lsp::serve` through an in-memory connection.

use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

struct Client {
    conn: Connection,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
    next: i32,
}

impl Client {
    fn start(init_options: Value, root: Option<&std::path::Path>) -> Client {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || kvet::lsp::serve(&server));
        let mut c = Client {
            conn: client,
            thread: Some(thread),
            next: 1,
        };
        let root_uri = root.map(|r| format!("file://{}", r.display()));
        let resp = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": { "general": { "positionEncodings": ["utf-16"] } },
                "initializationOptions": init_options,
            }),
        );
        assert_eq!(resp["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(resp["capabilities"]["hoverProvider"], true);
        c.notify("initialized", json!({}));
        c
    }

    fn send(&self, m: Message) {
        self.conn.sender.send(m).unwrap_or_else(|e| panic!("send: {e}"));
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(method.into(), params)));
    }

    /// Sends a request and returns its result, answering server requests
    /// (capability registration) and skipping notifications meanwhile.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(Message::Request(Request::new(
            RequestId::from(id),
            method.into(),
            params,
        )));
        loop {
            match self.recv() {
                Message::Response(r) if r.id == RequestId::from(id) => {
                    return match r.response_result {
                        Ok(v) => v,
                        Err(e) => json!({ "error": e.message }),
                    };
                }
                Message::Request(req) => {
                    self.send(Message::Response(lsp_server::Response::new_ok(req.id, Value::Null)))
                }
                _ => {}
            }
        }
    }

    fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("no message from the server: {e}"))
    }

    /// Sends a request and returns its result with the URIs of the
    /// publishDiagnostics that came before it.
    fn request_noting_publishes(&mut self, method: &str, params: Value) -> (Value, Vec<String>) {
        let id = self.next;
        self.next += 1;
        self.send(Message::Request(Request::new(
            RequestId::from(id),
            method.into(),
            params,
        )));
        let mut published = Vec::new();
        loop {
            match self.recv() {
                Message::Response(r) if r.id == RequestId::from(id) => {
                    let v = match r.response_result {
                        Ok(v) => v,
                        Err(e) => json!({ "error": e.message }),
                    };
                    return (v, published);
                }
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    published.push(n.params["uri"].as_str().unwrap_or("").to_string());
                }
                Message::Request(req) => {
                    self.send(Message::Response(lsp_server::Response::new_ok(req.id, Value::Null)))
                }
                _ => {}
            }
        }
    }

    /// The next publishDiagnostics for `uri`.
    fn diagnostics_for(&self, uri: &str) -> Vec<Value> {
        loop {
            match self.recv() {
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri => {
                    return n.params["diagnostics"].as_array().cloned().unwrap_or_default();
                }
                Message::Request(req) => {
                    self.send(Message::Response(lsp_server::Response::new_ok(req.id, Value::Null)))
                }
                _ => {}
            }
        }
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
        );
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        let result = self.thread.take().map(|t| t.join());
        assert!(matches!(result, Some(Ok(Ok(())))), "server did not exit cleanly");
    }
}

const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

#[test]
fn diagnostics_code_actions_hover_and_edits() {
    let mut c = Client::start(json!({ "select": ["selector-mismatch", "unused-suppression"] }), None);
    let uri = "file:///tmp/kvet-lsp-test/deploy.yaml";
    c.open(uri, DEPLOY);
    let diags = c.diagnostics_for(uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "selector-mismatch");
    assert_eq!(d["source"], "kvet");
    assert_eq!(d["severity"], 1);
    assert_eq!(
        d["range"],
        json!({"start": {"line": 7, "character": 6}, "end": {"line": 7, "character": 9}})
    );
    assert!(
        d.get("codeDescription").is_none(),
        "no link to a page that does not exist: {d}"
    );
    assert_eq!(d["relatedInformation"][0]["message"], "the pod template's labels");

    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": d["range"],
            "context": { "diagnostics": [d] },
        }),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["title"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        titles,
        vec![
            "Suppress selector-mismatch on this line",
            "Suppress selector-mismatch for this file"
        ]
    );
    let edit = &actions[0]["edit"]["changes"][uri][0];
    assert_eq!(edit["newText"], " # kvet: ignore[selector-mismatch]");
    assert_eq!(edit["range"]["start"], json!({"line": 7, "character": 14}));

    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 7, "character": 7 } }),
    );
    let md = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        md.contains("**selector-mismatch** (selectors, error)") && md.contains("**Why it matters**"),
        "{md}"
    );
    let nothing = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(nothing, Value::Null);

    // An incremental edit that fixes the label: findings are cleared.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": {"line": 11, "character": 13}, "end": {"line": 11, "character": 21} }, "text": "web" }],
        }),
    );
    assert!(c.diagnostics_for(uri).is_empty());

    // Applying the suppress action instead also silences it.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "text": DEPLOY.replace("      app: web\n", "      app: web # kvet: ignore[selector-mismatch]\n") }] }),
    );
    assert!(c.diagnostics_for(uri).is_empty());

    // Closing clears.
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert!(c.diagnostics_for(uri).is_empty());
    c.shutdown();
}

#[test]
fn malformed_input_and_bad_messages_do_not_stop_the_server() {
    let mut c = Client::start(Value::Null, None);
    let uri = "file:///tmp/kvet-lsp-test/broken.yaml";
    c.open(uri, "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n");
    let diags = c.diagnostics_for(uri);
    assert_eq!(diags[0]["code"], "yaml-syntax");
    // Non-Kubernetes YAML is left alone: opening it re-lints the open
    // manifests (broken.yaml is published again) but publishes nothing for
    // it, although a duplicate key would be a finding in a manifest.
    let other = "file:///tmp/kvet-lsp-test/.github/workflow.yml";
    c.open(other, "on: push\njobs: {}\njobs: {}\n");
    // Garbage parameters get an error response, not a crash.
    let (r, published) = c.request_noting_publishes("textDocument/hover", json!({ "nonsense": true }));
    assert!(r["error"].is_string(), "{r}");
    assert_eq!(published, vec![uri.to_string()]);
    let r = c.request("kvet/unknown", json!({}));
    assert!(r["error"].is_string());
    // A huge document still works.
    let big: String = (0..2000)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n"))
        .collect();
    c.open("file:///tmp/kvet-lsp-test/big.yaml", &big);
    assert!(c.diagnostics_for("file:///tmp/kvet-lsp-test/big.yaml").is_empty());
    c.shutdown();
}

#[test]
fn workspace_manifests_feed_cross_object_rules() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    // The other object lives only on disk; the open document duplicates it.
    std::fs::write(
        dir.path().join("a.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
    )?;
    std::fs::write(
        dir.path().join(".kvet.yaml"),
        "select: [object-duplicate, yaml]\noptions:\n  object-duplicate: {scope: run}\n",
    )?;
    let c = Client::start(Value::Null, Some(dir.path()));
    let uri = format!("file://{}/b.yaml", dir.path().display());
    c.open(&uri, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n");
    let diags = c.diagnostics_for(&uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "object-duplicate");
    // At the name in the open document, pointing at the copy on disk.
    assert_eq!(
        diags[0]["range"],
        json!({"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 16}})
    );
    assert_eq!(
        diags[0]["relatedInformation"][0]["location"]["uri"],
        format!("file://{}/a.yaml", dir.path().display())
    );
    c.shutdown();
    Ok(())
}

/// A CRD of the workspace (compiled when the workspace is read, its
/// schemas then cut from the kept tree) checks the open custom resources
/// and makes their `spec.template` a pod template; opened itself, its
/// unsaved text is what counts.
#[test]
fn workspace_crds_check_open_custom_resources() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let crd = std::fs::read_to_string("fixtures/privileged-container/bad-crd-template.yaml")?;
    let (definition, resource) = crd
        .split_once("\n---\n")
        .ok_or_else(|| std::io::Error::other("two documents"))?;
    let crd_path = dir.path().join("crd.yaml");
    std::fs::write(&crd_path, definition)?;
    std::fs::write(
        dir.path().join(".kvet.yaml"),
        "select: [privileged-container, schema-unknown-field]\n",
    )?;
    let c = Client::start(Value::Null, Some(dir.path()));
    let uri = format!("file://{}/worker.yaml", dir.path().display());
    let text = resource.replace("  replicas: 2\n", "  replica: 2\n");
    c.open(&uri, &text);
    let codes = |diags: Vec<Value>| {
        let mut codes: Vec<String> = diags
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(
        codes(c.diagnostics_for(&uri)),
        ["privileged-container", "schema-unknown-field"]
    );
    // The CRD opened and edited (not saved) to declare `replica`.
    let crd_uri = format!("file://{}", crd_path.display());
    c.open(
        &crd_uri,
        &definition.replace("replicas: {type: integer}", "replica: {type: integer}"),
    );
    let mut own = None;
    let mut others = None;
    while own.is_none() || others.is_none() {
        match c.recv() {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                let diags = n.params["diagnostics"].as_array().cloned().unwrap_or_default();
                if n.params["uri"] == uri.as_str() {
                    others = Some(diags);
                } else if n.params["uri"] == crd_uri.as_str() {
                    own = Some(diags);
                }
            }
            Message::Request(req) => c.send(Message::Response(lsp_server::Response::new_ok(req.id, Value::Null))),
            _ => {}
        }
    }
    assert_eq!(own.map(codes), Some(Vec::<String>::new()));
    assert_eq!(others.map(codes), Some(vec!["privileged-container".to_string()]));
    c.shutdown();
    Ok(())
}

#[test]
fn workspace_files_are_updated_one_by_one_and_an_open_file_replaces_its_copy() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let a = dir.path().join("a.yaml");
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n";
    std::fs::write(&a, cm)?;
    std::fs::write(
        dir.path().join("c.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: other\n",
    )?;
    std::fs::write(
        dir.path().join(".kvet.yaml"),
        "select: [object-duplicate, yaml]\noptions:\n  object-duplicate: {scope: run}\n",
    )?;
    let c = Client::start(Value::Null, Some(dir.path()));
    // The workspace's own file, opened: it stands in for its copy on disk
    // (no duplicate of itself).
    let a_uri = format!("file://{}", a.display());
    c.open(&a_uri, cm);
    assert_eq!(c.diagnostics_for(&a_uri), Vec::<Value>::new());
    // Another document duplicating the file on disk.
    let b_uri = format!("file://{}/b.yaml", dir.path().display());
    c.open(&b_uri, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: other\n");
    let diags = c.diagnostics_for(&b_uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    // The file on disk changes: only it is read again, and the duplicate
    // is gone.
    std::fs::write(
        dir.path().join("c.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: renamed\n",
    )?;
    let c_uri = format!("file://{}/c.yaml", dir.path().display());
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": c_uri, "type": 2 }] }),
    );
    assert_eq!(c.diagnostics_for(&b_uri), Vec::<Value>::new());
    // Deleted, then created again: the duplicate comes back.
    std::fs::remove_file(dir.path().join("c.yaml"))?;
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": c_uri, "type": 3 }] }),
    );
    assert_eq!(c.diagnostics_for(&b_uri), Vec::<Value>::new());
    std::fs::write(
        dir.path().join("c.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: other\n",
    )?;
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": c_uri, "type": 1 }] }),
    );
    assert_eq!(c.diagnostics_for(&b_uri).len(), 1);
    c.shutdown();
    Ok(())
}

#[test]
fn hover_documents_the_custom_rules_of_the_configuration() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("policies"))?;
    std::fs::write(
        dir.path().join("policies/team.yaml"),
        "id: team-label-missing\ncategory: metadata\nseverity: error\nsummary: Every object names its owning team.\nwhy: On-call needs to know whom to page.\nfix: Add a `team` label.\nbad: |\n  kind: Pod\ngood: |\n  kind: Pod\ntemplate:\n  check: object\n  path: metadata.labels.team\n  when: {missing: true}\n  message: \"{kind} `{name}` has no `team` label\"\n",
    )?;
    std::fs::write(
        dir.path().join(".kvet.yaml"),
        "custom-rules: [policies/]\nselect: [team-label-missing]\n",
    )?;
    let mut c = Client::start(Value::Null, Some(dir.path()));
    let uri = format!("file://{}/cm.yaml", dir.path().display());
    c.open(&uri, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n");
    let diags = c.diagnostics_for(&uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "team-label-missing");
    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 2 } }),
    );
    let md = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        md.contains("**team-label-missing** (metadata, error)") && md.contains("On-call needs to know whom to page."),
        "{md}"
    );
    c.shutdown();
    Ok(())
}

/// Whether a finding says it was rendered by `root` (a related location).
fn rendered_by(d: &Value, root: &str) -> bool {
    d["relatedInformation"]
        .as_array()
        .is_some_and(|r| r.iter().any(|i| i["location"]["uri"] == root))
}

#[test]
fn editing_a_patch_or_a_base_relints_the_roots_that_use_it() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let p = dir.path();
    std::fs::create_dir_all(p.join("base"))?;
    std::fs::create_dir_all(p.join("overlay"))?;
    let base_text = DEPLOY
        .replace("app: frontend", "app: web")
        .replace("nginx:1.27", "nginx:1.27.3");
    std::fs::write(p.join("base/deployment.yaml"), &base_text)?;
    std::fs::write(p.join("base/kustomization.yaml"), "resources: [deployment.yaml]\n")?;
    std::fs::write(
        p.join("overlay/kustomization.yaml"),
        "resources: [../base]\npatches:\n- path: patch.yaml\n",
    )?;
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n";
    std::fs::write(p.join("overlay/patch.yaml"), patch)?;
    std::fs::write(p.join(".kvet.yaml"), "select: [value-out-of-range, image-tag-latest]\n")?;
    let c = Client::start(Value::Null, Some(p));
    let uri = |rel: &str| format!("file://{}/{rel}", p.display());
    let (patch_uri, base_uri, root_uri) = (
        uri("overlay/patch.yaml"),
        uri("base/deployment.yaml"),
        uri("overlay/kustomization.yaml"),
    );

    c.open(&patch_uri, patch);
    assert!(c.diagnostics_for(&patch_uri).is_empty());
    // An unsaved edit of the patch: the overlay is rendered with it, and
    // the rendered Deployment's finding lands on the patch's line.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": patch_uri, "version": 2 }, "contentChanges": [{ "text": patch.replace("replicas: 2", "replicas: -1") }] }),
    );
    let diags = c.diagnostics_for(&patch_uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "value-out-of-range");
    assert_eq!(diags[0]["range"]["start"], json!({"line": 5, "character": 12}));
    assert!(rendered_by(&diags[0], &root_uri), "{diags:?}");

    // A base edit: the root that uses the base is re-linted, and the
    // finding comes back in the base as the root rendered it.
    let started = std::time::Instant::now();
    c.open(&base_uri, &base_text.replace("nginx:1.27.3", "nginx:latest"));
    let diags = c.diagnostics_for(&base_uri);
    eprintln!("base edit re-linted in {:?}", started.elapsed());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "image-tag-latest");
    assert!(rendered_by(&diags[0], &root_uri), "{diags:?}");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": base_uri, "version": 2 }, "contentChanges": [{ "text": base_text }] }),
    );
    assert!(c.diagnostics_for(&base_uri).is_empty());

    // The base closed (and changed on disk): an edit of the patch
    // re-lints the root, whose finding is published in the base although
    // it is not open.
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": base_uri } }));
    assert!(c.diagnostics_for(&base_uri).is_empty());
    std::fs::write(
        p.join("base/deployment.yaml"),
        base_text.replace("nginx:1.27.3", "nginx:latest"),
    )?;
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": patch_uri, "version": 3 }, "contentChanges": [{ "text": patch }] }),
    );
    let diags = c.diagnostics_for(&base_uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "image-tag-latest");
    c.shutdown();
    Ok(())
}

#[test]
fn a_rendered_finding_offers_the_fix_of_its_origin_value() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let p = dir.path();
    std::fs::create_dir_all(p.join("base"))?;
    std::fs::create_dir_all(p.join("overlay"))?;
    let base_text = DEPLOY.replace("app: frontend", "app: web");
    std::fs::write(p.join("base/deployment.yaml"), &base_text)?;
    std::fs::write(p.join("base/kustomization.yaml"), "resources: [deployment.yaml]\n")?;
    std::fs::write(
        p.join("overlay/kustomization.yaml"),
        "resources: [../base]\npatches:\n- path: patch.yaml\n",
    )?;
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: \"3\"\n";
    std::fs::write(p.join("overlay/patch.yaml"), patch)?;
    std::fs::write(p.join(".kvet.yaml"), "select: [schema-invalid-type]\n")?;
    let mut c = Client::start(Value::Null, Some(p));
    let uri = format!("file://{}/overlay/patch.yaml", p.display());
    c.open(&uri, patch);
    let diags = c.diagnostics_for(&uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diags[0]["range"], "context": { "diagnostics": diags } }),
    );
    let fix = actions
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|x| x["isPreferred"] == true || x["title"] == "write it as 3")
        })
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(fix["title"], "write it as 3", "{actions}");
    assert_eq!(fix["edit"]["changes"][&uri][0]["newText"], "3", "{actions}");
    c.shutdown();
    Ok(())
}

/// CPU time of this process so far (all threads), from /proc (Linux).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    // utime and stime, in clock ticks (100 per second on Linux).
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Not a timed test: prints how long a re-lint takes after an edit of a
/// file in a workspace. `KVET_LSP_BENCH=DIR:FILE cargo test --release --test
/// lsp relint_latency -- --ignored --nocapture` (FILE relative to DIR).
#[test]
#[ignore]
fn relint_latency() {
    let Ok(spec) = std::env::var("KVET_LSP_BENCH") else {
        return;
    };
    let Some((dir, file)) = spec.split_once(':') else {
        return;
    };
    let dir = std::path::Path::new(dir)
        .canonicalize()
        .unwrap_or_else(|e| panic!("{dir}: {e}"));
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let started = std::time::Instant::now();
    let c = Client::start(Value::Null, Some(&dir));
    eprintln!("initialize (workspace scan): {:?}", started.elapsed());
    let uri = format!("file://{}", path.display());
    let (started, cpu) = (std::time::Instant::now(), cpu_time());
    c.open(&uri, &text);
    let n = c.diagnostics_for(&uri).len();
    eprintln!(
        "open, lint and publish: {:?}, CPU {:?} ({n} findings)",
        started.elapsed(),
        cpu_time() - cpu
    );
    for v in 2..7 {
        let (started, cpu) = (std::time::Instant::now(), cpu_time());
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": v }, "contentChanges": [{ "text": format!("{text}\n# edit {v}\n") }] }),
        );
        let n = c.diagnostics_for(&uri).len();
        eprintln!(
            "edit {v}: published after {:?} (150 ms of it debounce), CPU {:?} ({n} findings)",
            started.elapsed(),
            cpu_time() - cpu
        );
    }
    c.shutdown();
}

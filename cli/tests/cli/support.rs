//! An in-process simulator per test and the `autotask` binary pointed at it, with a clean environment.

use assert_cmd::Command;
use autotask_sim::{RunningSimulator, Seed, SimulatorBuilder};
use serde_json::{json, Value};

/// A simulator serving from its own runtime while the test runs the CLI as a child process.
pub struct Sim {
    pub sim: RunningSimulator,
    // Serves the simulator; dropped after it.
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    pub fn start(builder: SimulatorBuilder) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let sim = runtime.block_on(builder.start()).expect("simulator starts");
        Sim {
            sim,
            _runtime: runtime,
        }
    }

    /// An empty simulator with the fixture records of [`fixtures`].
    pub fn with_fixtures() -> Sim {
        let sim = Sim::start(autotask_sim::Simulator::builder().seed(Seed::None));
        fixtures(&sim.sim);
        sim
    }

    pub fn url(&self) -> &str {
        self.sim.base_url()
    }

    /// `autotask --sim --api-url <this simulator>`.
    pub fn cli(&self) -> Command {
        let mut command = autotask();
        command.args(["--sim", "--api-url", self.url()]);
        command
    }
}

/// The binary with no AUTOTASK_* variables and no config file, whatever the developer's shell has.
pub fn autotask() -> Command {
    let mut command = Command::cargo_bin("autotask").expect("binary built");
    for (name, _) in std::env::vars() {
        if name.starts_with("AUTOTASK_") {
            command.env_remove(name);
        }
    }
    command.env("AUTOTASK_CONFIG", "/nonexistent/autotask-test-config.toml");
    command
}

/// Six tickets (titles A..F below) under one company, chosen so that every operator selects a
/// different set.
///
/// | title              | status           | priority | dueDateTime | description | Customer Reference |
/// |--------------------|------------------|----------|-------------|-------------|--------------------|
/// | Printer jam        | New (1)          | High (1) | 2024-03-01  | paper       | PO-1               |
/// | Printer offline    | Complete (5)     | Medium   | 2024-04-01  |             |                    |
/// | Disk full          | Waiting Customer | High     |             | server      |                    |
/// | New laptop         | In Progress (8)  | Low (3)  | 2024-05-01  |             | PO-2               |
/// | VPN down           | New              | Critical | 2024-06-01  |             |                    |
/// | Mail printer setup | Waiting Customer | Medium   |             |             |                    |
pub fn fixtures(sim: &RunningSimulator) {
    let company = sim
        .insert(
            "Companies",
            json!({"companyName": "Acme", "phone": "555-0100", "ownerResourceID": 1, "companyType": 1}),
        )
        .expect("company");
    let tickets = [
        (
            "Printer jam",
            1,
            1,
            Some("2024-03-01T00:00:00Z"),
            Some("paper"),
            Some("PO-1"),
        ),
        (
            "Printer offline",
            5,
            2,
            Some("2024-04-01T00:00:00Z"),
            None,
            None,
        ),
        ("Disk full", 7, 1, None, Some("server"), None),
        (
            "New laptop",
            8,
            3,
            Some("2024-05-01T00:00:00Z"),
            None,
            Some("PO-2"),
        ),
        ("VPN down", 1, 4, Some("2024-06-01T00:00:00Z"), None, None),
        ("Mail printer setup", 7, 2, None, None, None),
    ];
    for (title, status, priority, due, description, reference) in tickets {
        let mut record = json!({
            "title": title, "status": status, "priority": priority, "companyID": company,
            "dueDateTime": due, "description": description,
        });
        if let Some(reference) = reference {
            record["userDefinedFields"] =
                json!([{"name": "Customer Reference", "value": reference}]);
        }
        sim.insert("Tickets", record).expect("ticket");
    }
}

/// Standard output as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The JSON Lines of standard output.
pub fn json_lines(output: &std::process::Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

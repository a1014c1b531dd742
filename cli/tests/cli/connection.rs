//! Connecting (env vars, profiles, secret_command, --sim), whoami, usage, exit codes, help, completion.

use crate::support::{autotask, stderr, stdout, Sim};
use autotask_sim::{ApiUser, Simulator};

const SECRET: &str = "s3cr3t-Zq81-never-shown";

fn sim_with_secret_user() -> Sim {
    Sim::start(Simulator::builder().user(ApiUser::new("ops@example.com", SECRET, "OPSCODE")))
}

#[test]
fn env_vars_profiles_and_secret_commands_connect_and_the_secret_is_never_printed() {
    let sim = sim_with_secret_user();
    let env = autotask()
        .args(["whoami", "-vv", "-o", "table"])
        .env("AUTOTASK_USERNAME", "ops@example.com")
        .env("AUTOTASK_INTEGRATION_CODE", "OPSCODE")
        .env("AUTOTASK_SECRET", SECRET)
        .env("AUTOTASK_API_URL", sim.url())
        .output()
        .unwrap();
    assert!(env.status.success(), "{}", stderr(&env));
    let shown = stdout(&env);
    assert!(
        shown.contains("user:        ops@example.com")
            && shown.contains("zone:        Simulator Zone"),
        "{shown}"
    );
    assert!(shown.contains("threshold:"), "{shown}");
    assert!(
        stderr(&env).contains("autotask.request"),
        "-vv logs the requests"
    );

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"ops\"\n[profiles.ops]\nusername = \"ops@example.com\"\nintegration_code = \"OPSCODE\"\n\
             secret_command = \"echo {SECRET}\"\napi_url = \"{}\"\n\n[profiles.broken]\nusername = \"ops@example.com\"\n\
             integration_code = \"OPSCODE\"\nsecret_command = \"echo {SECRET}; exit 3\"\n",
            sim.url()
        ),
    )
    .unwrap();
    let profile = autotask()
        .args(["whoami", "-v", "-o", "json"])
        .env("AUTOTASK_CONFIG", &config)
        .output()
        .unwrap();
    assert!(profile.status.success(), "{}", stderr(&profile));
    let json: serde_json::Value = serde_json::from_slice(&profile.stdout).unwrap();
    assert_eq!(
        json["credentials"]
            .as_str()
            .unwrap()
            .split(' ')
            .take(2)
            .collect::<Vec<_>>(),
        ["profile", "\"ops\""]
    );

    let broken = autotask()
        .args(["--profile", "broken", "whoami"])
        .env("AUTOTASK_CONFIG", &config)
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(3));
    assert!(
        stderr(&broken).contains("secret_command failed"),
        "{}",
        stderr(&broken)
    );

    let wrong = autotask()
        .args(["--profile", "ops", "count", "Tickets"])
        .env("AUTOTASK_CONFIG", &config)
        .env("AUTOTASK_API_URL", sim.url())
        .output()
        .unwrap();
    assert!(wrong.status.success(), "{}", stderr(&wrong));

    for output in [&env, &profile, &broken] {
        let all = format!("{}{}", stdout(output), stderr(output));
        assert!(!all.contains(SECRET), "the secret was printed:\n{all}");
    }
}

#[test]
fn connection_errors_say_what_to_do_with_their_exit_codes() {
    let none = autotask().args(["count", "Tickets"]).output().unwrap();
    assert_eq!(none.status.code(), Some(3));
    assert!(stderr(&none).contains("autotask sim"), "{}", stderr(&none));

    let partial = autotask()
        .args(["count", "Tickets"])
        .env("AUTOTASK_USERNAME", "x@example.com")
        .env("AUTOTASK_SECRET", "")
        .output()
        .unwrap();
    assert_eq!(partial.status.code(), Some(3));
    insta::assert_snapshot!("incomplete_env", stderr(&partial));

    let sim = sim_with_secret_user();
    let rejected = autotask()
        .args(["count", "Tickets"])
        .env("AUTOTASK_USERNAME", "ops@example.com")
        .env("AUTOTASK_INTEGRATION_CODE", "OPSCODE")
        .env("AUTOTASK_SECRET", "wrong")
        .env("AUTOTASK_API_URL", sim.url())
        .output()
        .unwrap();
    assert_eq!(rejected.status.code(), Some(3));
    assert_eq!(
        stderr(&rejected).lines().count(),
        1,
        "{}",
        stderr(&rejected)
    );

    let unknown_profile = autotask()
        .args(["--profile", "nope", "whoami"])
        .output()
        .unwrap();
    assert_eq!(unknown_profile.status.code(), Some(2));
}

#[test]
fn whoami_and_usage_against_the_simulator() {
    let sim = Sim::with_fixtures();
    let whoami = sim.cli().args(["whoami", "-o", "json"]).output().unwrap();
    assert!(whoami.status.success(), "{}", stderr(&whoami));
    let json: serde_json::Value = serde_json::from_slice(&whoami.stdout).unwrap();
    assert_eq!(json["user"], "sim@example.com");
    assert_eq!(json["threshold"], 10000);

    let usage = sim.cli().args(["usage", "-o", "table"]).output().unwrap();
    assert!(usage.status.success(), "{}", stderr(&usage));
    let text = stdout(&usage);
    assert!(
        text.contains("of 10000 requests used") && text.contains("ThresholdInformation"),
        "{text}"
    );
}

/// The subcommand names listed under "Commands:" in `--help` of `prefix`.
fn subcommands(prefix: &[&str]) -> Vec<String> {
    let help = stdout(&autotask().args(prefix).arg("--help").output().unwrap());
    let section = help
        .split("Commands:")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    section
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        // Wrapped descriptions continue on lines indented deeper than the names.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|name| name != "help")
        .collect()
}

#[test]
fn every_command_has_examples_in_its_help_and_completions_generate() {
    let mut commands: Vec<Vec<String>> = Vec::new();
    for name in subcommands(&[]) {
        let nested = subcommands(&[name.as_str()]);
        if nested.is_empty() {
            commands.push(vec![name]);
        } else {
            commands.extend(nested.into_iter().map(|n| vec![name.clone(), n]));
        }
    }
    assert!(commands.len() >= 17, "{commands:?}");
    for name in &commands {
        let output = autotask().args(name).arg("--help").output().unwrap();
        assert!(output.status.success(), "{name:?}");
        assert!(
            stdout(&output).contains("Examples:"),
            "no examples in `{}` --help",
            name.join(" ")
        );
    }
    let top = stdout(&autotask().arg("--help").output().unwrap());
    assert!(
        top.contains("Examples:") && top.contains("Exit codes:") && top.contains("secret_command"),
        "{top}"
    );

    for (shell, marker) in [
        ("bash", "_autotask()"),
        ("zsh", "#compdef autotask"),
        ("fish", "complete -c autotask"),
    ] {
        let output = autotask().args(["completion", shell]).output().unwrap();
        assert!(
            output.status.success() && stdout(&output).contains(marker),
            "{shell}"
        );
    }
    let bad = autotask().args(["query"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn sim_serves_until_ctrl_c_and_prints_how_to_connect() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("autotask"))
        .args(["sim", "--port", "0", "--tickets", "7", "--companies", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("autotask-sim listening on ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    let hint = lines.next().unwrap().unwrap();
    assert!(
        hint.starts_with("credentials: UserName=sim@example.com"),
        "{hint}"
    );
    let count = autotask()
        .args(["--sim", "--api-url", &url, "count", "Tickets"])
        .output()
        .unwrap();
    assert_eq!(stdout(&count), "7\n", "{}", stderr(&count));
    let stopped = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    assert!(child.wait().unwrap().success());
}

#[cfg(unix)]
#[test]
fn sim_takes_latency_and_fault_flags() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("autotask"))
        .args(["sim", "--port", "0", "--tickets", "3", "--companies", "1"])
        .args([
            "--latency-ms",
            "20",
            "--fault",
            "server-error:100%:POST:/Tickets",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("autotask-sim listening on ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    // Reads are untouched by a POST-only fault (GET /Tickets/{id}).
    let get = autotask()
        .args([
            "--sim",
            "--api-url",
            &url,
            "get",
            "Tickets",
            "1",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert!(get.status.success(), "{}", stderr(&get));
    // whoami times a round trip to the API: it cannot be shorter than the fixed latency.
    let whoami = autotask()
        .args(["--sim", "--api-url", &url, "whoami", "-o", "json"])
        .output()
        .unwrap();
    let identity: serde_json::Value = serde_json::from_slice(&whoami.stdout).unwrap();
    assert!(identity["latencyMs"].as_u64().unwrap() >= 20, "{identity}");
    // Every create of a ticket meets the injected server error; a create is never retried blindly.
    let create = autotask()
        .args(["--sim", "--api-url", &url, "create", "Tickets"])
        .args(["--set", "title=Faulted", "--set", "companyID=0"])
        .args(["--set", "priority=1", "--set", "status=1"])
        .output()
        .unwrap();
    assert!(!create.status.success());
    assert!(
        stderr(&create).contains("Simulated fault"),
        "{}",
        stderr(&create)
    );
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());

    let bad = autotask()
        .args(["sim", "--port", "0", "--fault", "explode:0.5"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown fault kind"),
        "{}",
        stderr(&bad)
    );
}

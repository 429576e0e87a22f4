//! Certificates for TLS tests, made with the openssl command line: a CA and a server
//! certificate it signs, for the names a test chooses.

use std::path::Path;
use std::process::Command;

/// Writes `ca.pem` (+ `ca.key`) and `cert.pem`/`key.pem` for `names` (DNS names or IPs) into `dir`.
pub fn make_ca_and_server_cert(dir: &Path, names: &[&str]) {
    let san: Vec<String> = names
        .iter()
        .map(|n| {
            if n.parse::<std::net::IpAddr>().is_ok() {
                format!("IP:{n}")
            } else {
                format!("DNS:{n}")
            }
        })
        .collect();
    std::fs::write(
        dir.join("ext.cnf"),
        format!(
            "subjectAltName={}\nextendedKeyUsage=serverAuth\n",
            san.join(",")
        ),
    )
    .expect("write ext.cnf");
    let steps: &[&[&str]] = &[
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=GoGoTime test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=test server",
            "-keyout",
            "key.pem",
            "-out",
            "server.csr",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "cert.pem",
        ],
    ];
    for args in steps {
        let output = Command::new("openssl")
            .args(*args)
            .current_dir(dir)
            .output()
            .expect("the openssl command line tool runs");
        assert!(
            output.status.success(),
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // PostgreSQL refuses a key others can read
    let key = dir.join("key.pem");
    let mut permissions = std::fs::metadata(&key).expect("key").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o600);
    std::fs::set_permissions(&key, permissions).expect("chmod key");
}

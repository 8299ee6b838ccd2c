//! The DynamoDB server's own answer time for the requests the functions make, without the SDK
//! or a function: hand-written HTTP/1.1 requests on one keep-alive connection, straight to the
//! server (no proxy). The floor under the functions' warm latency.

use std::time::{Duration, Instant};

use devkit::demo::{ADA_ID, ADA_SESSION_ID, API_KEY, TENANT_ID};
use model::ApiKeyId;
use serde_json::{Value, json};
use store::keys::ItemKey;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One request kind and its p50/p99.
pub struct StoreRow {
    /// What was sent.
    pub request: &'static str,
    /// Median answer time.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
}

fn key(key: ItemKey) -> Value {
    json!({ "pk": { "S": key.pk }, "sk": { "S": key.sk } })
}

/// Times `count` of each request the functions make (after 100 unmeasured ones) against the
/// server at `endpoint` (`http://host:port`), table `table`.
pub async fn measure(endpoint: &str, table: &str, count: usize) -> Result<Vec<StoreRow>, String> {
    let address = endpoint
        .strip_prefix("http://")
        .ok_or("the store endpoint is not plain HTTP")?
        .trim_end_matches('/');
    let batch = |keys: Vec<Value>| json!({ "RequestItems": { table: { "Keys": keys, "ConsistentRead": true } } });
    let requests = [
        (
            "BatchGetItem: tenant, session, user (the JWT path)",
            "BatchGetItem",
            batch(vec![
                key(ItemKey::tenant(TENANT_ID)),
                key(ItemKey::session(TENANT_ID, ADA_SESSION_ID)),
                key(ItemKey::user(TENANT_ID, ADA_ID)),
            ]),
        ),
        (
            "BatchGetItem: tenant, API key (the API-key path, first)",
            "BatchGetItem",
            batch(vec![
                key(ItemKey::tenant(TENANT_ID)),
                key(ItemKey::api_key(
                    TENANT_ID,
                    &ApiKeyId::parse(API_KEY).map_err(|e| e.to_string())?,
                )),
            ]),
        ),
        (
            "GetItem: user (the API-key path, second)",
            "GetItem",
            json!({ "TableName": table, "Key": key(ItemKey::user(TENANT_ID, ADA_ID)), "ConsistentRead": true }),
        ),
    ];
    let socket = TcpStream::connect(address)
        .await
        .map_err(|e| format!("{address}: {e}"))?;
    socket.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut connection = BufReader::new(socket);
    let mut rows = Vec::new();
    for (name, target, body) in requests {
        let body = body.to_string();
        let request = format!(
            "POST / HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/x-amz-json-1.0\r\n\
             x-amz-target: DynamoDB_20120810.{target}\r\nx-amz-date: 20260101T000000Z\r\n\
             authorization: AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, \
             SignedHeaders=host, Signature=00\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut samples = Vec::with_capacity(count);
        for round in 0..count + 100 {
            let started = Instant::now();
            connection
                .get_mut()
                .write_all(request.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            let answer = read_response(&mut connection).await?;
            if round >= 100 {
                samples.push(started.elapsed());
            }
            let expected = if name.contains("session") {
                ADA_SESSION_ID.to_string()
            } else if target == "GetItem" {
                ADA_ID.to_string()
            } else {
                API_KEY.to_owned()
            };
            if !answer.contains(&expected) {
                return Err(format!("{name}: unexpected answer {answer:.300}"));
            }
        }
        samples.sort_unstable();
        rows.push(StoreRow {
            request: name,
            p50: crate::percentile(&samples, 0.50),
            p99: crate::percentile(&samples, 0.99),
        });
    }
    Ok(rows)
}

/// Reads one HTTP/1.1 response with a Content-Length body; the body if the status is 200.
async fn read_response(connection: &mut BufReader<TcpStream>) -> Result<String, String> {
    let mut status = String::new();
    connection
        .read_line(&mut status)
        .await
        .map_err(|e| e.to_string())?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        connection
            .read_line(&mut line)
            .await
            .map_err(|e| e.to_string())?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().map_err(|_| "bad content-length")?;
        }
    }
    let mut body = vec![0u8; length];
    connection
        .read_exact(&mut body)
        .await
        .map_err(|e| e.to_string())?;
    let body = String::from_utf8_lossy(&body).into_owned();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(format!("{}: {body:.300}", status.trim_end()));
    }
    Ok(body)
}

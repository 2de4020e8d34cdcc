//! A TLS and SASL/PLAIN front for librdkafka's mock cluster, which speaks neither: the Kafka
//! tests put it between their clients and the mock so that `rulec watch-events`'s security
//! settings meet a broker that requires them. The front presents a certificate made for the
//! run, answers the SASL handshake and authentication itself (PLAIN, one user), hangs up on
//! any other request before that — as a broker does — and then passes the requests through.
//! The answers that tell a client where brokers are (metadata, group coordinator) are changed
//! to name the front, so every later connection goes through it too; the mock is asked to
//! use their non-flexible versions, whose layout is fixed.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

const METADATA: i16 = 3;
const FIND_COORDINATOR: i16 = 10;
const SASL_HANDSHAKE: i16 = 17;
const API_VERSIONS: i16 = 18;
const SASL_AUTHENTICATE: i16 = 36;
const UNSUPPORTED_SASL_MECHANISM: i16 = 33;
const SASL_AUTHENTICATION_FAILED: i16 = 58;

/// The newest versions of the answers the front rewrites whose layout it knows (before
/// flexible versions); the mock must be held to them.
pub(crate) const METADATA_MAX: i16 = 8;
pub(crate) const FIND_COORDINATOR_MAX: i16 = 3;

/// A running front; it stops accepting when dropped.
pub(crate) struct Front {
    pub(crate) address: SocketAddr,
    /// The PEM of the front's self-signed certificate (it names `127.0.0.1` and `localhost`):
    /// the authority a client must trust.
    pub(crate) certificate_pem: String,
    /// Connections that passed SASL authentication, and those refused.
    pub(crate) admitted: Arc<AtomicUsize>,
    pub(crate) refused: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

/// What one connection needs to know.
struct Setting {
    upstream: SocketAddr,
    port: u16,
    tls: Arc<ServerConfig>,
    user: String,
    password: String,
    admitted: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
}

impl Front {
    /// Listens on 127.0.0.1 for TLS clients that authenticate as `user` with `password`, and
    /// passes them to `upstream`.
    pub(crate) fn start(upstream: SocketAddr, user: &str, password: &str) -> Front {
        let (tls, certificate_pem) = tls_config();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the front");
        let address = listener.local_addr().expect("the front's address");
        let setting = Arc::new(Setting {
            upstream,
            port: address.port(),
            tls,
            user: user.to_owned(),
            password: password.to_owned(),
            admitted: Arc::default(),
            refused: Arc::default(),
        });
        let (admitted, refused) = (setting.admitted.clone(), setting.refused.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(client) = client else { continue };
                let setting = setting.clone();
                std::thread::spawn(move || {
                    let _ = serve(client, &setting);
                });
            }
        });
        Front { address, certificate_pem, admitted, refused, stop }
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.address);
    }
}

/// A server configuration with a certificate made now, and that certificate as PEM.
fn tls_config() -> (Arc<ServerConfig>, String) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .expect("a self-signed certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    // rustls's default crypto provider: the only one built (ring).
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![made.cert.der().clone()], key)
        .expect("the certificate and its key");
    (Arc::new(config), made.cert.pem())
}

/// The client's end of a connection.
type Side = StreamOwned<ServerConnection, TcpStream>;

fn serve(client: TcpStream, setting: &Setting) -> io::Result<()> {
    let socket = client.try_clone()?;
    let mut side = StreamOwned::new(ServerConnection::new(setting.tls.clone()).map_err(io::Error::other)?, client);
    let mut upstream = TcpStream::connect(setting.upstream)?;
    if !authenticate(&mut side, &mut upstream, setting)? {
        setting.refused.fetch_add(1, Ordering::Relaxed);
        let _ = socket.shutdown(Shutdown::Both);
        return Ok(());
    }
    setting.admitted.fetch_add(1, Ordering::Relaxed);
    pipe(side, &socket, upstream, setting.port)
}

/// The exchange before the bytes pass: API versions (the mock's, with the two SASL requests
/// added), the handshake, the authentication. Whether the client got through.
fn authenticate(side: &mut Side, upstream: &mut TcpStream, setting: &Setting) -> io::Result<bool> {
    let (user, password) = (&setting.user, &setting.password);
    loop {
        let request = read_frame(side)?;
        let header = Header::parse(&request)?;
        match header.api_key {
            API_VERSIONS => {
                write_frame(upstream, &request)?;
                let answer = read_frame(upstream)?;
                write_frame(side, &with_sasl_requests(&answer, header.api_version)?)?;
            }
            SASL_HANDSHAKE => {
                let mechanism = Cursor(&request[header.body..]).string()?;
                let error = if mechanism == "PLAIN" { 0 } else { UNSUPPORTED_SASL_MECHANISM };
                let mut body = error.to_be_bytes().to_vec();
                body.extend(1_i32.to_be_bytes());
                body.extend(4_i16.to_be_bytes());
                body.extend(b"PLAIN");
                respond(side, header.correlation, &body)?;
                if error != 0 {
                    return Ok(false);
                }
            }
            SASL_AUTHENTICATE => {
                let token = Cursor(&request[header.body..]).bytes()?;
                // authzid NUL user NUL password (RFC 4616); the authzid may be empty.
                let parts: Vec<&[u8]> = token.split(|b| *b == 0).collect();
                let admitted = parts.len() == 3 && parts[1] == user.as_bytes() && parts[2] == password.as_bytes();
                let mut body = Vec::new();
                if admitted {
                    body.extend(0_i16.to_be_bytes());
                    body.extend((-1_i16).to_be_bytes());
                } else {
                    let message = b"Authentication failed: Invalid username or password";
                    body.extend(SASL_AUTHENTICATION_FAILED.to_be_bytes());
                    body.extend((message.len() as i16).to_be_bytes());
                    body.extend(message);
                }
                body.extend(0_i32.to_be_bytes());
                if header.api_version >= 1 {
                    body.extend(0_i64.to_be_bytes());
                }
                respond(side, header.correlation, &body)?;
                return Ok(admitted);
            }
            _ => return Ok(false),
        }
    }
}

/// Passes requests and answers until either end hangs up, the answers that name brokers
/// changed to name the front's `port`. The client's end is one TLS state for both directions:
/// it is shared under a lock, and reads wait at most a few milliseconds so that writes get
/// their turn.
fn pipe(side: Side, socket: &TcpStream, upstream: TcpStream, port: u16) -> io::Result<()> {
    socket.set_read_timeout(Some(Duration::from_millis(5)))?;
    let side = Arc::new(Mutex::new(side));
    // What each request in flight asked, by correlation id: how to read its answer.
    let asked: Arc<Mutex<HashMap<i32, (i16, i16)>>> = Arc::default();
    let back = {
        let (side, asked, mut from, client) = (side.clone(), asked.clone(), upstream.try_clone()?, socket.try_clone()?);
        std::thread::spawn(move || {
            while let Ok(mut answer) = read_frame(&mut from) {
                let correlation = Cursor(&answer).i32().unwrap_or(-1);
                let request = asked.lock().unwrap_or_else(|e| e.into_inner()).remove(&correlation);
                if let Some((api_key, version)) = request
                    && redirect(&mut answer, api_key, version, port).is_err()
                {
                    break;
                }
                let mut side = side.lock().unwrap_or_else(|e| e.into_inner());
                if write_frame(&mut *side, &answer).is_err() {
                    break;
                }
            }
            let _ = client.shutdown(Shutdown::Both);
        })
    };
    let mut to = upstream;
    let mut pending = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    'reading: loop {
        let read = side.lock().unwrap_or_else(|e| e.into_inner()).read(&mut buf);
        match read {
            Ok(0) => break,
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
            Err(_) => break,
        }
        while let Some(request) = next_frame(&mut pending) {
            let Ok(header) = Header::parse(&request) else { break 'reading };
            if matches!(header.api_key, METADATA | FIND_COORDINATOR) {
                asked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(header.correlation, (header.api_key, header.api_version));
            }
            if write_frame(&mut to, &request).is_err() {
                break 'reading;
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = socket.shutdown(Shutdown::Both);
    let _ = back.join();
    Ok(())
}

/// Changes the broker ports in a metadata or group-coordinator answer (response header v0,
/// the versions up to [`METADATA_MAX`] and [`FIND_COORDINATOR_MAX`]) to `port`, in place: the
/// mock and the front share the host.
fn redirect(answer: &mut [u8], api_key: i16, version: i16, port: u16) -> io::Result<()> {
    let len = answer.len();
    let mut cursor = Cursor(&answer[4..]);
    let mut ports = Vec::new();
    match api_key {
        METADATA if version <= METADATA_MAX => {
            if version >= 3 {
                cursor.i32()?;
            }
            for _ in 0..cursor.i32()? {
                cursor.i32()?;
                cursor.string()?;
                ports.push(len - cursor.0.len());
                cursor.i32()?;
                if version >= 1 {
                    cursor.string()?;
                }
            }
        }
        FIND_COORDINATOR if version <= FIND_COORDINATOR_MAX => {
            if version >= 1 {
                cursor.i32()?;
            }
            cursor.i16()?;
            if version >= 1 {
                cursor.string()?;
            }
            cursor.i32()?;
            cursor.string()?;
            ports.push(len - cursor.0.len());
        }
        _ => return Err(io::Error::new(io::ErrorKind::InvalidData, "an answer version the front cannot read")),
    }
    for at in ports {
        answer[at..at + 4].copy_from_slice(&i32::from(port).to_be_bytes());
    }
    Ok(())
}

/// Takes one whole frame (without its length) off the front of `pending`, if it holds one.
fn next_frame(pending: &mut Vec<u8>) -> Option<Vec<u8>> {
    let len = usize::try_from(i32::from_be_bytes(pending.get(..4)?.try_into().ok()?)).ok()?;
    if pending.len() < 4 + len {
        return None;
    }
    let frame = pending[4..4 + len].to_vec();
    pending.drain(..4 + len);
    Some(frame)
}

/// A request header (v1 or v2): what the front needs of it, and where the body starts.
struct Header {
    api_key: i16,
    api_version: i16,
    correlation: i32,
    body: usize,
}

impl Header {
    fn parse(request: &[u8]) -> io::Result<Header> {
        let mut cursor = Cursor(request);
        let api_key = cursor.i16()?;
        let api_version = cursor.i16()?;
        let correlation = cursor.i32()?;
        let client_id = cursor.i16()?;
        cursor.skip(usize::try_from(client_id).unwrap_or(0))?;
        Ok(Header { api_key, api_version, correlation, body: request.len() - cursor.0.len() })
    }
}

/// The mock's API versions answer with SaslHandshake and SaslAuthenticate (versions 0–1)
/// added: librdkafka uses SASL only with brokers that list them. Versions 3 and up carry
/// compact arrays and tagged fields.
fn with_sasl_requests(answer: &[u8], version: i16) -> io::Result<Vec<u8>> {
    let mut cursor = Cursor(&answer[4..]);
    let error = cursor.i16()?;
    if error != 0 {
        return Ok(answer.to_vec());
    }
    let flexible = version >= 3;
    let count = if flexible { cursor.uvarint()? - 1 } else { u64::try_from(cursor.i32()?).unwrap_or(0) };
    let mut patched = answer[..6].to_vec();
    if flexible {
        put_uvarint(&mut patched, count + 3);
    } else {
        patched.extend(i32::try_from(count + 2).unwrap_or(i32::MAX).to_be_bytes());
    }
    for key in [SASL_HANDSHAKE, SASL_AUTHENTICATE] {
        for value in [key, 0, 1] {
            patched.extend(value.to_be_bytes());
        }
        if flexible {
            patched.push(0);
        }
    }
    patched.extend_from_slice(cursor.0);
    Ok(patched)
}

fn put_uvarint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads big-endian fields off the front of a slice.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "a short Kafka frame"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn skip(&mut self, n: usize) -> io::Result<()> {
        self.take(n).map(|_| ())
    }

    fn i16(&mut self) -> io::Result<i16> {
        Ok(i16::from_be_bytes(self.take(2)?.try_into().expect("two bytes")))
    }

    fn i32(&mut self) -> io::Result<i32> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into().expect("four bytes")))
    }

    fn uvarint(&mut self) -> io::Result<u64> {
        let mut value = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(io::Error::new(io::ErrorKind::InvalidData, "a varint too long"))
    }

    fn string(&mut self) -> io::Result<String> {
        let len = self.i16()?;
        let bytes = self.take(usize::try_from(len).unwrap_or(0))?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }

    fn bytes(&mut self) -> io::Result<&'a [u8]> {
        let len = self.i32()?;
        self.take(usize::try_from(len).unwrap_or(0))
    }
}

/// Frames are a 4-byte length, then that many bytes.
fn read_frame(from: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0; 4];
    from.read_exact(&mut len)?;
    let len = usize::try_from(i32::from_be_bytes(len))
        .ok()
        .filter(|len| *len <= 16 << 20)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a Kafka frame of a bad length"))?;
    let mut frame = vec![0; len];
    from.read_exact(&mut frame)?;
    Ok(frame)
}

fn write_frame(to: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    to.write_all(&i32::try_from(frame.len()).unwrap_or(i32::MAX).to_be_bytes())?;
    to.write_all(frame)?;
    to.flush()
}

/// An answer with response header v0 (the correlation id alone).
fn respond(to: &mut impl Write, correlation: i32, body: &[u8]) -> io::Result<()> {
    let mut frame = correlation.to_be_bytes().to_vec();
    frame.extend_from_slice(body);
    write_frame(to, &frame)
}

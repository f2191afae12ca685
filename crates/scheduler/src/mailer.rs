//! Sending one message: the [`Mailer`] trait, the three transports
//! (`smtp` with lettre's pooled async transport, `file`, `log`), and the
//! classification of SMTP outcomes the worker acts on.

use std::{future::Future, path::PathBuf, time::Duration};

use chrono::{DateTime, Utc};
use dondoc_core::{
    config::{MailSettings, MailTransport, SmtpSettings, SmtpTls},
    followup::outbox::ClaimedNotification,
};
use lettre::{
    Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart, SinglePart},
    transport::smtp::{PoolConfig, authentication::Credentials},
};

/// A message ready to go, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub idempotency_key: String,
    pub message_id: String,
    pub recipients: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The `Date:` header: when the notice was made (so a retry is identical).
    pub date: DateTime<Utc>,
}

impl From<&ClaimedNotification> for Outgoing {
    fn from(c: &ClaimedNotification) -> Self {
        Self {
            idempotency_key: c.idempotency_key.clone(),
            message_id: c.message_id.clone(),
            recipients: c.recipients.clone(),
            subject: c.subject.clone(),
            text: c.body_text.clone(),
            html: c.body_html.clone(),
            date: c.created_at,
        }
    }
}

/// The server took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub code: Option<u16>,
    pub reply: String,
}

/// Why a message was not taken, sorted by what the worker does about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later (4xx, connection refused or dropped, timeout).
    /// `ambiguous`: the connection broke at a point where the server may
    /// already hold the message.
    #[error("transient failure: {message}")]
    Transient {
        code: Option<u16>,
        message: String,
        ambiguous: bool,
    },
    /// This message will never go through (5xx for a recipient, bad address).
    #[error("permanent failure: {message}")]
    Permanent { code: Option<u16>, message: String },
    /// Nothing will go through until the configuration is fixed
    /// (authentication rejected, TLS failure): pause, spend no attempts.
    #[error("configuration failure: {message}")]
    Config { code: Option<u16>, message: String },
}

impl SendError {
    pub fn code(&self) -> Option<u16> {
        match self {
            SendError::Transient { code, .. }
            | SendError::Permanent { code, .. }
            | SendError::Config { code, .. } => *code,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            SendError::Transient { message, .. }
            | SendError::Permanent { message, .. }
            | SendError::Config { message, .. } => message,
        }
    }
}

/// Something that can send one message. Production uses [`AnyMailer`];
/// tests plug in their own.
pub trait Mailer: Send + Sync {
    fn send(&self, mail: &Outgoing) -> impl Future<Output = Result<Receipt, SendError>> + Send;
    /// Sends `mail` to `addresses` only (some of its recipients: the others
    /// already have it, or refuse it). The SMTP transport keeps the message's
    /// bytes — every recipient in `To:` — and narrows only the envelope; by
    /// default the message is sent with `To:` narrowed too.
    fn send_to(
        &self,
        mail: &Outgoing,
        addresses: &[String],
    ) -> impl Future<Output = Result<Receipt, SendError>> + Send {
        let narrowed = Outgoing {
            recipients: addresses.to_vec(),
            ..mail.clone()
        };
        async move { self.send(&narrowed).await }
    }

    /// For logs: `smtp 127.0.0.1:25 (starttls)`, `file data/outbox`, `log`.
    fn describe(&self) -> String;
}

/// The multipart boundary of a message, derived from its Message-ID so that
/// the same notification always formats to the same bytes.
fn boundary(message_id: &str) -> String {
    let token: String = message_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(40)
        .collect();
    format!("dondoc-{token}")
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies and
/// other auto-responders do not answer it, so no reply loop starts.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// Builds the RFC 5322 message: UTF-8 subject (RFC 2047), a text and an HTML
/// part, the stored Message-ID and date. Deterministic for a given input.
pub fn build_message(from: &Mailbox, mail: &Outgoing) -> Result<Message, SendError> {
    build_message_with(from, None, mail)
}

/// [`build_message`] with a `Reply-To` (`mail.reply_to`): answers go to a
/// person, not to the unattended sender.
pub fn build_message_with(
    from: &Mailbox,
    reply_to: Option<&Mailbox>,
    mail: &Outgoing,
) -> Result<Message, SendError> {
    let mut builder = Message::builder()
        .from(from.clone())
        // Not `.subject()`: a literal encoded-word must not reach clients raw.
        .header(crate::subject::Subject(mail.subject.clone()))
        .message_id(Some(mail.message_id.clone()))
        .date(std::time::SystemTime::from(mail.date))
        .header(AutoSubmitted);
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    if mail.recipients.is_empty() {
        return Err(SendError::Permanent {
            code: None,
            message: "no recipient".to_string(),
        });
    }
    for raw in &mail.recipients {
        let address: Address = raw.trim().parse().map_err(|err| SendError::Permanent {
            code: None,
            message: format!("invalid recipient address `{raw}`: {err}"),
        })?;
        builder = builder.to(Mailbox::new(None, address));
    }
    builder
        .multipart(
            MultiPart::alternative()
                .boundary(boundary(&mail.message_id))
                .singlepart(SinglePart::plain(mail.text.clone()))
                .singlepart(SinglePart::html(mail.html.clone())),
        )
        .map_err(|err| SendError::Permanent {
            code: None,
            message: format!("cannot build the message: {err}"),
        })
}

/// The message's bytes, or a permanent failure when they exceed `max`
/// (`mail.max_message_bytes`): no message larger than the cap is ever sent
/// (digests are rendered to fit; this is the last guard).
pub fn formatted_within(message: &Message, max: usize) -> Result<Vec<u8>, SendError> {
    let bytes = message.formatted();
    if bytes.len() > max {
        return Err(SendError::Permanent {
            code: None,
            message: format!(
                "the message is {} bytes, more than mail.max_message_bytes ({max}); not sent",
                bytes.len()
            ),
        });
    }
    Ok(bytes)
}

/// The default cap of a transport made without settings.
const DEFAULT_MAX_MESSAGE_BYTES: usize = 2_000_000;

/// Parses `mail.from`; a bad one is a configuration error naming the key.
pub fn sender(settings: &MailSettings) -> anyhow::Result<Mailbox> {
    settings.from.trim().parse::<Mailbox>().map_err(|err| {
        anyhow::anyhow!(
            "configuration error in `mail.from`: `{}` is not a mailbox ({err})",
            settings.from
        )
    })
}

/// Parses `mail.reply_to` (empty: no `Reply-To`); a bad one is a
/// configuration error naming the key.
pub fn reply_to(settings: &MailSettings) -> anyhow::Result<Option<Mailbox>> {
    let raw = settings.reply_to.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<Mailbox>().map(Some).map_err(|err| {
        anyhow::anyhow!(
            "configuration error in `mail.reply_to`: `{}` is not a mailbox ({err})",
            settings.reply_to
        )
    })
}

/// The domain of `mail.from`, used in Message-IDs.
pub fn message_domain(from: &Mailbox) -> String {
    from.email.domain().to_string()
}

// ───────────────────────────── SMTP ─────────────────────────────

/// lettre's pooled async SMTP transport. The worker sends up to
/// `mail.delivery.concurrency` messages at once through one of these, each
/// on a connection of the pool.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    max_message_bytes: usize,
    description: String,
}

impl SmtpMailer {
    pub fn new(smtp: &SmtpSettings, from: Mailbox) -> anyhow::Result<Self> {
        let host = smtp.host.trim();
        let builder = match smtp.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|err| anyhow::anyhow!("configuration error in `mail.smtp.host`: {err}"))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|err| anyhow::anyhow!("configuration error in `mail.smtp.host`: {err}"))?,
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(Duration::from_secs(smtp.timeout_secs.max(1))))
            .pool_config(
                PoolConfig::new()
                    .max_size(smtp.pool_size.max(1))
                    .idle_timeout(Duration::from_secs(60)),
            );
        if !smtp.username.trim().is_empty() {
            builder = builder.credentials(Credentials::new(
                smtp.username.trim().to_string(),
                smtp.password.clone(),
            ));
        }
        let tls = match smtp.tls {
            SmtpTls::None => "no TLS",
            SmtpTls::Starttls => "STARTTLS",
            SmtpTls::Tls => "TLS",
        };
        Ok(Self {
            transport: builder.build(),
            from,
            reply_to: None,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            description: format!("smtp {host}:{} ({tls})", smtp.port),
        })
    }

    /// Refuses (permanently, unsent) any message larger than `max` bytes.
    pub fn with_max_message_bytes(mut self, max: usize) -> Self {
        self.max_message_bytes = max;
        self
    }
}

impl SmtpMailer {
    async fn send_envelope(
        &self,
        mail: &Outgoing,
        addresses: Option<&[String]>,
    ) -> Result<Receipt, SendError> {
        let message = build_message_with(&self.from, self.reply_to.as_ref(), mail)?;
        let bytes = formatted_within(&message, self.max_message_bytes)?;
        let envelope = match addresses {
            None => message.envelope().clone(),
            Some(addresses) => {
                let to = addresses
                    .iter()
                    .map(|raw| {
                        raw.trim()
                            .parse::<Address>()
                            .map_err(|err| SendError::Permanent {
                                code: None,
                                message: format!("invalid recipient address `{raw}`: {err}"),
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                lettre::address::Envelope::new(Some(self.from.email.clone()), to).map_err(
                    |err| SendError::Permanent {
                        code: None,
                        message: format!("cannot build the envelope: {err}"),
                    },
                )?
            }
        };
        match self.transport.send_raw(&envelope, &bytes).await {
            Ok(response) => Ok(Receipt {
                code: Some(u16::from(response.code())),
                reply: format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                )
                .trim()
                .to_string(),
            }),
            Err(err) => Err(classify(&err)),
        }
    }
}

impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Outgoing) -> Result<Receipt, SendError> {
        self.send_envelope(mail, None).await
    }

    async fn send_to(&self, mail: &Outgoing, addresses: &[String]) -> Result<Receipt, SendError> {
        self.send_envelope(mail, Some(addresses)).await
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    text
}

/// Sorts a lettre SMTP error into what the worker should do (the outbox
/// protocol of `docs/reliability.md`).
pub fn classify(err: &lettre::transport::smtp::Error) -> SendError {
    let message = error_chain(err);
    let code = err.status().map(u16::from);
    if err.is_tls() {
        return SendError::Config { code, message };
    }
    if let Some(code) = code {
        return match code {
            // Authentication required / too weak / rejected / needs encryption.
            530 | 534 | 535 | 538 => SendError::Config {
                code: Some(code),
                message,
            },
            400..=499 => SendError::Transient {
                code: Some(code),
                message,
                ambiguous: false,
            },
            _ => SendError::Permanent {
                code: Some(code),
                message,
            },
        };
    }
    if err.is_client() {
        let lower = message.to_lowercase();
        return if ["auth", "mechanism", "tls", "credential"]
            .iter()
            .any(|w| lower.contains(w))
        {
            SendError::Config { code, message }
        } else {
            SendError::Permanent { code, message }
        };
    }
    // Refused before any command was sent: the server cannot hold the
    // message. Anything else (I/O error or end of stream mid-session,
    // timeout, garbled reply) may have happened after the final dot.
    let before_session = message.starts_with("Connection error");
    SendError::Transient {
        code,
        message,
        ambiguous: !before_session,
    }
}

// ───────────────────────────── file and log ─────────────────────────────

/// Writes each message as `<key>.eml` into a folder (the demo default).
/// A second delivery of the same notification overwrites its file.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    max_message_bytes: usize,
}

impl FileMailer {
    pub fn new(dir: PathBuf, from: Mailbox) -> Self {
        Self {
            dir,
            from,
            reply_to: None,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }

    /// The file a notification is written to.
    pub fn path_for(&self, idempotency_key: &str) -> PathBuf {
        let name: String = idempotency_key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}.eml"))
    }
}

impl Mailer for FileMailer {
    async fn send(&self, mail: &Outgoing) -> Result<Receipt, SendError> {
        let message = build_message_with(&self.from, self.reply_to.as_ref(), mail)?;
        let bytes = formatted_within(&message, self.max_message_bytes)?;
        let path = self.path_for(&mail.idempotency_key);
        let temporary = path.with_extension("eml.tmp");
        let io = |err: std::io::Error, what: &str| SendError::Config {
            code: None,
            message: format!(
                "cannot {what} in {} (mail.file_dir): {err}",
                self.dir.display()
            ),
        };
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| io(e, "create the folder"))?;
        tokio::fs::write(&temporary, bytes)
            .await
            .map_err(|e| io(e, "write a message"))?;
        tokio::fs::rename(&temporary, &path)
            .await
            .map_err(|e| io(e, "write a message"))?;
        Ok(Receipt {
            code: None,
            reply: format!("written to {}", path.display()),
        })
    }

    fn describe(&self) -> String {
        format!("file {}", self.dir.display())
    }
}

/// Writes a line to the log instead of sending.
#[derive(Debug, Clone)]
pub struct LogMailer {
    from: Mailbox,
    reply_to: Option<Mailbox>,
    max_message_bytes: usize,
}

impl LogMailer {
    pub fn new(from: Mailbox) -> Self {
        Self {
            from,
            reply_to: None,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }
}

impl Mailer for LogMailer {
    async fn send(&self, mail: &Outgoing) -> Result<Receipt, SendError> {
        let message = build_message_with(&self.from, self.reply_to.as_ref(), mail)?;
        let size = formatted_within(&message, self.max_message_bytes)?.len();
        tracing::info!(
            to = %mail.recipients.join(", "),
            subject = %mail.subject,
            message_id = %mail.message_id,
            bytes = size,
            "notification (mail.transport = log; not sent)"
        );
        Ok(Receipt {
            code: None,
            reply: "logged (mail.transport = log)".to_string(),
        })
    }

    fn describe(&self) -> String {
        "log".to_string()
    }
}

/// The transport the configuration asks for.
#[derive(Clone)]
pub enum AnyMailer {
    Smtp(SmtpMailer),
    File(FileMailer),
    Log(LogMailer),
}

impl AnyMailer {
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Self> {
        let from = sender(settings)?;
        let reply = reply_to(settings)?;
        let max = settings.max_message_bytes;
        Ok(match settings.transport {
            MailTransport::Smtp => {
                // One connection for each message sent at the same time.
                let smtp = SmtpSettings {
                    pool_size: settings.smtp.pool_size.max(settings.delivery.concurrency),
                    ..settings.smtp.clone()
                };
                let mut m = SmtpMailer::new(&smtp, from)?;
                m.reply_to = reply;
                m.max_message_bytes = max;
                AnyMailer::Smtp(m)
            }
            MailTransport::File => {
                let mut m = FileMailer::new(settings.file_dir.clone(), from);
                m.reply_to = reply;
                m.max_message_bytes = max;
                AnyMailer::File(m)
            }
            MailTransport::Log => AnyMailer::Log(LogMailer {
                from,
                reply_to: reply,
                max_message_bytes: max,
            }),
        })
    }
}

impl Mailer for AnyMailer {
    async fn send(&self, mail: &Outgoing) -> Result<Receipt, SendError> {
        match self {
            AnyMailer::Smtp(m) => m.send(mail).await,
            AnyMailer::File(m) => m.send(mail).await,
            AnyMailer::Log(m) => m.send(mail).await,
        }
    }

    async fn send_to(&self, mail: &Outgoing, addresses: &[String]) -> Result<Receipt, SendError> {
        match self {
            AnyMailer::Smtp(m) => m.send_to(mail, addresses).await,
            AnyMailer::File(m) => m.send_to(mail, addresses).await,
            AnyMailer::Log(m) => m.send_to(mail, addresses).await,
        }
    }

    fn describe(&self) -> String {
        match self {
            AnyMailer::Smtp(m) => m.describe(),
            AnyMailer::File(m) => m.describe(),
            AnyMailer::Log(m) => m.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn outgoing() -> Outgoing {
        Outgoing {
            idempotency_key: "department-digest:TNMT:2026-05-18".into(),
            message_id: "<abc123.dondoc@x.vn>".into(),
            recipients: vec!["tnmt@x.vn".into(), "canbo@x.vn".into()],
            subject: "[Đôn đốc] Phòng Tài nguyên và Môi trường".into(),
            text: "Kính gửi: Phòng Tài nguyên và Môi trường\nQuá hạn 17 ngày\n".into(),
            html: "<p>Kính gửi</p>".into(),
            date: Utc.with_ymd_and_hms(2026, 5, 18, 0, 0, 5).unwrap(),
        }
    }

    fn from() -> Mailbox {
        "dondoc <dondoc@x.vn>".parse().unwrap()
    }

    #[test]
    fn the_same_notification_formats_to_the_same_bytes() {
        let a = build_message(&from(), &outgoing()).unwrap().formatted();
        let b = build_message(&from(), &outgoing()).unwrap().formatted();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert!(text.contains("Message-ID: <abc123.dondoc@x.vn>"), "{text}");
        assert!(text.contains("Subject: =?utf-8?"), "{text}");
        assert!(text.contains("text/plain; charset=utf-8"), "{text}");
        assert!(text.contains("text/html; charset=utf-8"), "{text}");
        assert!(text.is_ascii(), "7-bit safe: no 8BITMIME needed");
    }

    #[test]
    fn a_bad_recipient_is_a_permanent_failure() {
        let mut m = outgoing();
        m.recipients = vec!["not an address".into()];
        assert!(matches!(
            build_message(&from(), &m),
            Err(SendError::Permanent { .. })
        ));
    }

    #[tokio::test]
    async fn the_file_transport_writes_one_eml_per_notification() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FileMailer::new(dir.path().join("outbox"), from());
        let receipt = mailer.send(&outgoing()).await.unwrap();
        assert!(
            receipt
                .reply
                .contains("department-digest_TNMT_2026-05-18.eml"),
            "{receipt:?}"
        );
        mailer.send(&outgoing()).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1);
    }

    #[tokio::test]
    async fn connection_refused_is_transient_and_not_ambiguous() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let smtp = SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            username: String::new(),
            password: String::new(),
            pool_size: 1,
            timeout_secs: 5,
        };
        let mailer = SmtpMailer::new(&smtp, from()).unwrap();
        match mailer.send(&outgoing()).await {
            Err(SendError::Transient { ambiguous, .. }) => assert!(!ambiguous),
            other => panic!("{other:?}"),
        }
    }
}

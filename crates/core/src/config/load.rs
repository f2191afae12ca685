//! Loading the layers (compiled-in defaults, files, environment) into
//! [`Settings`], and turning a figment error into one line naming the key.

use std::path::PathBuf;

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};

use super::{DEFAULT_TOML, Settings};
use crate::error::{Error, Result};

/// Where configuration comes from, so tests and the CLI can build it alike.
#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    /// Directory holding `default.toml` and `<env>.toml`; default `./config`.
    pub dir: Option<PathBuf>,
    /// Extra files, applied after the directory's files.
    pub files: Vec<PathBuf>,
    /// Read `DONDOC__…` environment variables (off in tests that want isolation).
    pub use_env: bool,
    /// Last-word overrides as `section.key = value` TOML text (tests).
    pub overrides: Option<String>,
}

impl ConfigSources {
    /// What `dondoc` uses: `DONDOC_CONFIG_DIR` or `./config`, `DONDOC_ENV`, env vars.
    pub fn from_environment(extra_files: Vec<PathBuf>) -> Self {
        Self {
            dir: std::env::var_os("DONDOC_CONFIG_DIR").map(PathBuf::from),
            files: extra_files,
            use_env: true,
            overrides: None,
        }
    }
}

impl Settings {
    /// The compiled-in defaults only (tests start from here).
    pub fn defaults() -> Result<Self> {
        Self::load(&ConfigSources::default())
    }

    pub fn load(sources: &ConfigSources) -> Result<Self> {
        let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
        let dir = sources
            .dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("config"));
        let on_disk = dir.join("default.toml");
        if on_disk.is_file() {
            figment = figment.merge(Toml::file(&on_disk));
        }
        if let Ok(env_name) = std::env::var("DONDOC_ENV")
            && !env_name.trim().is_empty()
            && sources.use_env
        {
            let path = dir.join(format!("{}.toml", env_name.trim()));
            if !path.is_file() {
                return Err(Error::config(
                    "DONDOC_ENV",
                    format!("names `{env_name}` but {} does not exist", path.display()),
                ));
            }
            figment = figment.merge(Toml::file(path));
        }
        for file in &sources.files {
            if !file.is_file() {
                return Err(Error::config(
                    "--config",
                    format!("{} does not exist", file.display()),
                ));
            }
            figment = figment.merge(Toml::file(file));
        }
        if sources.use_env {
            figment = figment.merge(Env::prefixed("DONDOC__").split("__"));
        }
        if let Some(text) = &sources.overrides {
            figment = figment.merge(Toml::string(text));
        }
        let settings: Settings = figment.extract().map_err(figment_error)?;
        settings.validate()?;
        Ok(settings)
    }
}

/// Turns a figment error into one line that names the key and the source.
fn figment_error(err: figment::Error) -> Error {
    let source = err.metadata.as_ref().map(|m| match &m.source {
        Some(figment::Source::File(path)) => path.display().to_string(),
        Some(other) => other.to_string(),
        None => m.name.to_string(),
    });
    let key = if err.path.is_empty() {
        source
            .clone()
            .unwrap_or_else(|| "configuration".to_string())
    } else {
        err.path.join(".")
    };
    // TOML parse errors span several lines (a caret under the column): keep
    // the sentence parts only, on one line.
    let kind = err.kind.to_string();
    let mut message = kind
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('|')
                && !l.starts_with('^')
                && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .collect::<Vec<_>>()
        .join("; ");
    if !err.path.is_empty()
        && let Some(source) = source
    {
        message = format!("{message} (from {source})");
    }
    Error::config(key, message)
}

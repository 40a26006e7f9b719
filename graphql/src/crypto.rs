//! `cryptography`: the 密码应用 page's facts for the security administrator — the key's
//! fingerprint, the data key versions this server holds and which seals, and every
//! cryptographic use of the platform (`jiuye_privacy::ALGORITHMS`). Keys themselves are
//! never shown; rotation is a console task (`jiuye key rotate|reseal|retire`).

use async_graphql::{Context, Object, SimpleObject};

use crate::AppState;

#[derive(SimpleObject)]
pub struct CryptographyView {
    /// Identifies the master secret (HMAC-SM3, 64 bits) without revealing it.
    pub fingerprint: String,
    /// The data key version new values are sealed under.
    pub sealing_version: i32,
    pub data_keys: Vec<DataKeyView>,
    pub algorithms: Vec<AlgorithmView>,
}

#[derive(SimpleObject)]
pub struct DataKeyView {
    pub version: i32,
    /// `sealing` (the newest), `opening` (older, still opens its values) or `retired`.
    pub state: String,
}

#[derive(SimpleObject)]
pub struct AlgorithmView {
    pub protects: String,
    pub algorithm: String,
    pub standard: String,
    pub key: String,
}

#[derive(Default)]
pub struct CryptoQuery;

#[Object]
impl CryptoQuery {
    /// Keys and algorithms in use (security administrator).
    async fn cryptography(&self, ctx: &Context<'_>) -> async_graphql::Result<CryptographyView> {
        let keys = &ctx.data::<AppState>()?.keys;
        let sealing = keys.sealing_version();
        let data_keys = keys
            .data_key_versions()
            .into_iter()
            .map(|(version, retired)| DataKeyView {
                version: version as i32,
                state: match (retired, version == sealing) {
                    (true, _) => "retired",
                    (false, true) => "sealing",
                    (false, false) => "opening",
                }
                .into(),
            })
            .collect();
        let algorithms = jiuye_privacy::ALGORITHMS
            .iter()
            .map(|a| AlgorithmView {
                protects: a.protects.into(),
                algorithm: a.algorithm.into(),
                standard: a.standard.into(),
                key: a.key.into(),
            })
            .collect();
        Ok(CryptographyView {
            fingerprint: keys.fingerprint().into(),
            sealing_version: sealing as i32,
            data_keys,
            algorithms,
        })
    }
}

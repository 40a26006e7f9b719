//! Every cryptographic use of the platform, in the words of a 密码应用 (GB/T 39786)
//! assessment: what is protected, by which algorithm and standard, under which key.
//! The 密码应用 page shows it; docs/security.md explains each row.

/// One use of cryptography.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algorithm {
    pub protects: &'static str,
    pub algorithm: &'static str,
    pub standard: &'static str,
    pub key: &'static str,
}

pub const ALGORITHMS: &[Algorithm] = &[
    Algorithm {
        protects: "ODS 中的公民身份号码、姓名及无法解析的原始行（存储机密性与完整性）",
        algorithm: "SM4-GCM（96 位随机 IV，128 位认证标签，表/列/行作为附加数据）",
        standard: "GB/T 32907、GB/T 36624",
        key: "数据密钥（带版本；v1 由主密钥经 HMAC-SM3 派生，其后为随机密钥）",
    },
    Algorithm {
        protects: "用户的动态口令（TOTP）密钥",
        algorithm: "SM4-GCM（用户名作为附加数据）",
        standard: "GB/T 32907、GB/T 36624",
        key: "数据密钥",
    },
    Algorithm {
        protects: "跨表关联人员的假名（person_key）",
        algorithm: "HMAC-SM3，输出 128 位",
        standard: "GB/T 32905、GB/T 15852.2",
        key: "由主密钥派生的假名密钥",
    },
    Algorithm {
        protects: "审计日志完整性（哈希链与链头）",
        algorithm: "HMAC-SM3",
        standard: "GB/T 32905、GB/T 15852.2",
        key: "由主密钥派生的审计密钥",
    },
    Algorithm {
        protects: "接口令牌与会话令牌（存储）",
        algorithm: "SM3 摘要（令牌为 256 位随机数）",
        standard: "GB/T 32905",
        key: "—",
    },
    Algorithm {
        protects: "登录密码",
        algorithm: "argon2id（抗离线猜测；无对应国密标准）",
        standard: "RFC 9106",
        key: "每个密码 16 字节随机盐",
    },
    Algorithm {
        protects: "第二因素（动态口令）",
        algorithm: "HMAC-SHA1 TOTP（认证器 App 仅支持 SHA-1）",
        standard: "RFC 6238",
        key: "每用户 160 位随机密钥（SM4-GCM 加密存储）",
    },
    Algorithm {
        protects: "接口与数据库链路（传输机密性与完整性）",
        algorithm: "TLS 1.3 / 1.2（rustls）",
        standard: "RFC 8446、RFC 5246",
        key: "服务器证书私钥",
    },
];

#[cfg(test)]
mod tests {
    use super::ALGORITHMS;

    /// The page and the assessor's document name the same algorithms.
    #[test]
    fn every_algorithm_is_explained_in_the_security_document() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/security.md")).unwrap();
        for a in ALGORITHMS {
            let name = a.algorithm.split(['（', ' ', '，']).next().unwrap();
            assert!(doc.contains(name), "docs/security.md does not explain {name}");
            for standard in a.standard.split('、') {
                assert!(doc.contains(standard), "docs/security.md does not cite {standard}");
            }
        }
    }
}

//! Streaming plumbing for large exports: hashing every byte read, and decoding GB18030 to
//! UTF-8 on the fly, so a file of any size is read with bounded memory.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use sm3::{Digest, Sm3};

/// Passes bytes through while feeding them to an SM3 digest (the file's content hash).
pub struct HashingRead<R> {
    inner: R,
    hasher: Arc<Mutex<Sm3>>,
}

impl<R: Read> HashingRead<R> {
    pub fn new(inner: R) -> (HashingRead<R>, Arc<Mutex<Sm3>>) {
        let hasher = Arc::new(Mutex::new(Sm3::new()));
        (
            HashingRead {
                inner,
                hasher: hasher.clone(),
            },
            hasher,
        )
    }
}

impl<R: Read> Read for HashingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.hasher.lock() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

pub fn finish_hash(hasher: &Arc<Mutex<Sm3>>) -> String {
    match hasher.lock() {
        Ok(h) => hex::encode(h.clone().finalize()),
        Err(_) => String::new(),
    }
}

/// GB18030 bytes in, UTF-8 bytes out; a byte sequence that is not GB18030 is an
/// `InvalidData` error rather than a replacement character.
pub struct Gb18030Read<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    input_start: usize,
    input_end: usize,
    output: Vec<u8>,
    output_start: usize,
    output_end: usize,
    eof: bool,
    /// The decoder was flushed (`last = true`): it may not be called again.
    finished: bool,
    consumed: u64,
}

impl<R: Read> Gb18030Read<R> {
    pub fn new(inner: R) -> Gb18030Read<R> {
        Gb18030Read {
            inner,
            decoder: encoding_rs::GB18030.new_decoder_without_bom_handling(),
            input: vec![0; 64 * 1024],
            input_start: 0,
            input_end: 0,
            output: vec![0; 3 * 64 * 1024 + 16],
            output_start: 0,
            output_end: 0,
            eof: false,
            finished: false,
            consumed: 0,
        }
    }
}

impl<R: Read> Read for Gb18030Read<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.output_start < self.output_end {
                let n = buf.len().min(self.output_end - self.output_start);
                buf[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
                self.output_start += n;
                return Ok(n);
            }
            if self.input_start == self.input_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.input_start = 0;
                self.input_end = n;
                self.eof = n == 0;
            }
            if self.input_start == self.input_end && self.eof {
                if self.finished {
                    return Ok(0);
                }
                // Flush whatever the decoder still holds (an incomplete trailing sequence
                // is an error), once: a finished decoder panics if used again.
                self.finished = true;
                let (result, _, written) = self.decoder.decode_to_utf8_without_replacement(&[], &mut self.output, true);
                if let encoding_rs::DecoderResult::Malformed(_, _) = result {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("the file ends inside a GB18030 character (byte {})", self.consumed),
                    ));
                }
                self.output_start = 0;
                self.output_end = written;
                continue;
            }
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(&self.input[self.input_start..self.input_end], &mut self.output, false);
            self.input_start += read;
            self.consumed += read as u64;
            self.output_start = 0;
            self.output_end = written;
            if let encoding_rs::DecoderResult::Malformed(_, _) = result {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "not valid GB18030 near byte {}; re-export the file as UTF-8 or GB18030",
                        self.consumed
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_gb18030_across_buffer_boundaries() {
        let text: String = "业务流水号,姓名\n".repeat(20_000);
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        let mut out = String::new();
        Gb18030Read::new(std::io::Cursor::new(bytes.to_vec()))
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
        let mut bad = bytes.to_vec();
        bad.push(0x81); // a lead byte with nothing after it
        assert!(
            Gb18030Read::new(std::io::Cursor::new(bad))
                .read_to_string(&mut String::new())
                .is_err()
        );
    }

    #[test]
    fn reading_on_after_the_end_or_an_error_is_not_a_panic() {
        // Found by the reader fuzzer: a second read after the decoder was flushed used a
        // finished decoder, which panics.
        for tail in [&[][..], &[0x81][..], &[0x81, 0x30][..]] {
            let mut bytes = encoding_rs::GB18030.encode("中,文\n").0.into_owned();
            bytes.extend_from_slice(tail);
            let mut reader = Gb18030Read::new(std::io::Cursor::new(bytes));
            let mut buf = [0u8; 4];
            for _ in 0..10 {
                let _ = reader.read(&mut buf);
            }
            assert!(matches!(reader.read(&mut buf), Ok(0)));
        }
    }

    #[test]
    fn hashes_what_it_reads() {
        let (mut r, h) = HashingRead::new(std::io::Cursor::new(b"abc".to_vec()));
        std::io::copy(&mut r, &mut std::io::sink()).unwrap();
        assert_eq!(finish_hash(&h), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }
}

//! SQL functions the warehouse adds to every SQLite connection, for what SQLite cannot
//! say cheaply in SQL. `jiuye_record_key(pseudonym)`: the first four hex digits of a
//! pseudonym as a number in 0..65536, the record key of the cell-key method (the
//! semantic layer's SQLite dialect renders `Expr::RecordKey` as a call to it; PostgreSQL
//! computes the same with a bit-string cast). The pure-SQL spelling — four `instr` and
//! `substr` calls — cost 1.5 µs a row, and rollup builds evaluate it for every key
//! column: about half the demo's load time.

use std::ffi::{c_int, c_void};

use libsqlite3_sys as ffi;

/// The record key of a pseudonym: its first four hex digits; `None` when they are not.
fn record_key(text: &[u8]) -> Option<i64> {
    let digits = text.get(..4)?;
    digits.iter().try_fold(0i64, |acc, b| {
        let d = (*b as char).to_digit(16)?;
        Some(acc * 16 + i64::from(d))
    })
}

unsafe extern "C" fn record_key_sql(ctx: *mut ffi::sqlite3_context, argc: c_int, argv: *mut *mut ffi::sqlite3_value) {
    // SAFETY: SQLite calls this with `argc` valid values in `argv` (registered with
    // one argument); the text pointer is valid for `sqlite3_value_bytes` bytes until the
    // value is next converted, which happens after this function returns.
    unsafe {
        if argc != 1 {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let value = *argv;
        if ffi::sqlite3_value_type(value) != ffi::SQLITE_TEXT {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let text = ffi::sqlite3_value_text(value);
        let len = ffi::sqlite3_value_bytes(value);
        if text.is_null() || len < 0 {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        match record_key(std::slice::from_raw_parts(text, len as usize)) {
            Some(key) => ffi::sqlite3_result_int64(ctx, key),
            None => ffi::sqlite3_result_null(ctx),
        }
    }
}

/// Registers the functions on one connection.
pub(crate) fn register(db: *mut ffi::sqlite3) -> Result<(), String> {
    let flags = ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS;
    // SAFETY: `db` is an open connection handed out by sqlx's `lock_handle`; the name
    // is a NUL-terminated static string; no user data or destructor is passed.
    let rc = unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            c"jiuye_record_key".as_ptr(),
            1,
            flags,
            std::ptr::null_mut::<c_void>(),
            Some(record_key_sql),
            None,
            None,
            None,
        )
    };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(format!("cannot register jiuye_record_key (SQLite code {rc})"))
    }
}

#[cfg(test)]
mod tests {
    use super::record_key;

    #[test]
    fn a_record_key_is_the_first_four_hex_digits() {
        assert_eq!(record_key(b"ffff0123"), Some(65535));
        assert_eq!(record_key(b"0010abcd"), Some(16));
        assert_eq!(record_key(b"00A0"), Some(160));
        assert_eq!(record_key(b"zz00"), None);
        assert_eq!(record_key(b"ab"), None);
    }
}

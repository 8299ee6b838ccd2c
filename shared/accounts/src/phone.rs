//! Phone numbers given on the command line, in international form.
//!
//! `+14155550123`, `+1 415 555 0123`, `+44 (20) 7946-0958`: a `+`, then 8 to 15 digits with
//! optional spaces, dashes, dots and parentheses. The calling code (seed 000's `country_code`,
//! seed 004's `phone_code`) is the ITU prefix of the digits: 1 or 7, one of the two-digit codes,
//! else three digits.

use model::PhoneNumber;

use crate::AdminError;

const TWO_DIGIT_CODES: &[&str] = &[
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47",
    "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
    "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
];

/// The ITU calling code at the start of `digits`.
pub fn calling_code(digits: &str) -> &str {
    let len = if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if TWO_DIGIT_CODES.iter().any(|code| digits.starts_with(code)) {
        2
    } else {
        3
    };
    &digits[..len.min(digits.len())]
}

/// Parses an international number into an unverified [`PhoneNumber`] with a fresh id.
pub fn parse(text: &str) -> Result<PhoneNumber, AdminError> {
    let invalid = || {
        AdminError::Invalid(format!(
            "--phone must be international, like +14155550123, not {text:?}"
        ))
    };
    let rest = text.trim().strip_prefix('+').ok_or_else(invalid)?;
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || " -.()".contains(c))
    {
        return Err(invalid());
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if !(8..=15).contains(&digits.len()) {
        return Err(invalid());
    }
    Ok(PhoneNumber {
        id: model::UserId::random().to_string(),
        country_code: calling_code(&digits).to_owned(),
        phone_number: format!("+{digits}"),
        verified: false,
        verified_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_calling_code() {
        let cases = [
            ("+14155550123", "1", "4155550123"),
            ("+44 20 7946 0958", "44", "2079460958"),
            ("+380 44 123 4567", "380", "441234567"),
            ("+7 (495) 123-45-67", "7", "4951234567"),
        ];
        for (input, code, national) in cases {
            let phone = parse(input).unwrap();
            assert_eq!(phone.country_code, code, "{input}");
            assert_eq!(phone.national_number(), national, "{input}");
        }
    }

    #[test]
    fn refuses_what_is_not_international() {
        for bad in [
            "4155550123",
            "+1",
            "+1415555012345678",
            "+1 415 CALL ME",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}

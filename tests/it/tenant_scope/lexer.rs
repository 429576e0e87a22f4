//! Reading Rust string literals and SQL tokens, just enough for the check (no parser crate:
//! the SQL here is simple and written by the project).

pub(super) fn is_identifier(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Lower-cased words (qualified names kept whole), `$n`, `{placeholder}`, quoted SQL strings
/// as one token, and single punctuation characters.
pub(super) fn sql_tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == '"' {
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.' | '"'))
            {
                i += 1;
            }
        } else if c == '$' {
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
        } else if c == '{' {
            while i < chars.len() && chars[i] != '}' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            i += 1;
        }
        let end = i.min(chars.len());
        tokens.push(chars[start..end].iter().collect::<String>().to_lowercase());
    }
    tokens
}

/// The string literals of a Rust source file with their line numbers: normal strings with
/// their escapes (including `\` at a line end), raw strings; comments, character literals and
/// lifetimes skipped.
pub(super) fn string_literals(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let mut literals = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let identifier_before =
        |i: usize| i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            // a character literal ('x', '\n', '\'') or a lifetime ('a)
            if at(i + 1) == '\\' {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if (c == 'r' || (c == 'b' && at(i + 1) == 'r')) && !identifier_before(i) && {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            while at(j) == '#' {
                j += 1;
            }
            at(j) == '"'
        } {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let (start_line, mut text) = (line, String::new());
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                line += usize::from(chars[j] == '\n');
                text.push(chars[j]);
                j += 1;
            }
            literals.push((start_line, text));
            i = j;
        } else if c == '"' {
            let (start_line, mut text) = (line, String::new());
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    let escaped = at(i + 1);
                    i += 2;
                    match escaped {
                        '\n' => {
                            line += 1;
                            while at(i).is_whitespace() {
                                line += usize::from(at(i) == '\n');
                                i += 1;
                            }
                        }
                        'n' => text.push('\n'),
                        't' => text.push('\t'),
                        'r' => text.push('\r'),
                        '0' => text.push('\0'),
                        'u' | 'x' => text.push('?'),
                        other => text.push(other),
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    text.push(chars[i]);
                    i += 1;
                }
            }
            i += 1;
            literals.push((start_line, text));
        } else {
            i += 1;
        }
    }
    literals
}

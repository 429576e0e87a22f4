//! Reads the shell commands out of Markdown: fenced `sh`/`bash`/`shell`/`console` blocks, split
//! into simple commands the way a shell would (quotes, comments, `\` continuations, `&&`, `|`,
//! `;`, redirections). Only as much shell as documentation uses; no expansion is performed.

/// One word of a command; `quoted` when any part of it was quoted (never taken as a path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub quoted: bool,
}

/// A simple command (no operators), with the line of the file it starts on.
#[derive(Debug, Clone)]
pub struct Command {
    pub line: usize,
    pub words: Vec<Word>,
    /// The whole logical line it came from, comments removed, for messages and listings.
    pub source: String,
}

/// The commands of one fenced block, in order (a `cd` affects the ones after it).
#[derive(Debug, Clone)]
pub struct Block {
    pub commands: Vec<Command>,
}

const SHELL_LANGUAGES: &[&str] = &["sh", "bash", "shell", "console", "zsh"];

/// A fenced block being read: its fence, whether it is shell, and its lines with their numbers.
struct OpenFence {
    fence: &'static str,
    shell: bool,
    console: bool,
    lines: Vec<(usize, String)>,
}

/// Every shell block of a Markdown text.
pub fn shell_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<OpenFence> = None;
    for (index, raw) in markdown.lines().enumerate() {
        let trimmed = raw.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (open.as_mut(), fence) {
            (None, Some(fence)) => {
                let language = trimmed[fence.len()..].split_whitespace().next();
                let language = language.unwrap_or("").to_ascii_lowercase();
                open = Some(OpenFence {
                    fence,
                    shell: SHELL_LANGUAGES.contains(&language.as_str()),
                    console: language == "console",
                    lines: Vec::new(),
                });
            }
            (Some(block), Some(fence)) if block.fence == fence => {
                if block.shell {
                    blocks.push(Block {
                        commands: commands_of(&block.lines, block.console),
                    });
                }
                open = None;
            }
            (Some(block), _) => block.lines.push((index + 1, raw.to_string())),
            (None, None) => {}
        }
    }
    blocks
}

/// Joins `\` continuations, drops console output, and splits each logical line into commands.
fn commands_of(lines: &[(usize, String)], console: bool) -> Vec<Command> {
    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (number, line) in lines {
        let line = if let Some((_, ref mut text)) = pending {
            text.push(' ');
            text.push_str(line.trim());
            text.clone()
        } else if console {
            match line.trim_start().strip_prefix("$ ") {
                Some(command) => command.to_string(),
                None => continue,
            }
        } else {
            line.clone()
        };
        let start = pending.as_ref().map_or(*number, |(start, _)| *start);
        match line.trim_end().strip_suffix('\\') {
            Some(head) => pending = Some((start, head.to_string())),
            None => {
                pending = None;
                logical.push((start, line));
            }
        }
    }
    logical.extend(pending);
    logical
        .into_iter()
        .flat_map(|(number, line)| split_line(number, &line))
        .collect()
}

enum Token {
    Word(Word),
    /// `&&`, `||`, `|`, `;` or `&`: ends a simple command.
    Separator,
    /// `>`, `>>`, `<`, `2>`, `&>`…: the next word is a file, not an argument.
    Redirect,
}

/// Splits one logical line into simple commands.
pub fn split_line(number: usize, line: &str) -> Vec<Command> {
    let (tokens, source) = tokenize(line);
    let mut commands = Vec::new();
    let mut words = Vec::new();
    let mut redirect = false;
    for token in tokens {
        match token {
            // the file of a redirection is output, not an argument to check
            Token::Word(_) if redirect => redirect = false,
            Token::Word(word) => words.push(word),
            Token::Redirect => redirect = true,
            Token::Separator => {
                if !words.is_empty() {
                    commands.push(Command {
                        line: number,
                        words: std::mem::take(&mut words),
                        source: source.clone(),
                    });
                }
            }
        }
    }
    if !words.is_empty() {
        commands.push(Command {
            line: number,
            words,
            source,
        });
    }
    commands
}

/// Words and operators of a line, and the line without its comment.
fn tokenize(line: &str) -> (Vec<Token>, String) {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut in_word) = (false, false);
    let mut end = chars.len();
    let mut i = 0;
    let flush =
        |word: &mut String, quoted: &mut bool, in_word: &mut bool, tokens: &mut Vec<Token>| {
            if *in_word {
                tokens.push(Token::Word(Word {
                    text: std::mem::take(word),
                    quoted: *quoted,
                }));
            }
            (*quoted, *in_word) = (false, false);
        };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '#' if !in_word => {
                end = i;
                break;
            }
            ' ' | '\t' => flush(&mut word, &mut quoted, &mut in_word, &mut tokens),
            '\'' | '"' => {
                let close = chars[i + 1..].iter().position(|&q| q == c);
                let close = close.map_or(chars.len(), |p| i + 1 + p);
                word.extend(&chars[i + 1..close]);
                (quoted, in_word) = (true, true);
                i = close;
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                // a command substitution is one opaque word
                let mut depth = 0;
                let mut j = i + 1;
                while j < chars.len() {
                    depth += match chars[j] {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    if depth == 0 {
                        break;
                    }
                    j += 1;
                }
                word.extend(&chars[i..(j + 1).min(chars.len())]);
                (quoted, in_word) = (true, true);
                i = j;
            }
            '&' | '|' | ';' | '>' | '<' => {
                let redirect = c == '>' || c == '<' || (c == '&' && chars.get(i + 1) == Some(&'>'));
                // `2>` and `2>&1`: the descriptor belongs to the redirection
                if redirect && in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    (word, in_word) = (String::new(), false);
                }
                flush(&mut word, &mut quoted, &mut in_word, &mut tokens);
                while chars.get(i + 1).is_some_and(|n| "&|>".contains(*n)) {
                    i += 1;
                }
                if redirect
                    && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
                    && chars[i] == '&'
                {
                    i += 1; // `>&1` needs no file word
                } else {
                    tokens.push(if redirect {
                        Token::Redirect
                    } else {
                        Token::Separator
                    });
                }
            }
            '\\' if i + 1 < chars.len() => {
                word.push(chars[i + 1]);
                (quoted, in_word) = (true, true);
                i += 1;
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
        i += 1;
    }
    flush(&mut word, &mut quoted, &mut in_word, &mut tokens);
    let source: String = chars[..end].iter().collect();
    (
        tokens,
        source.split_whitespace().collect::<Vec<_>>().join(" "),
    )
}

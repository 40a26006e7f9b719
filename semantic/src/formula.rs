//! Derived-indicator formulas: `+ - * /`, parentheses, indicator codes and numbers,
//! evaluated after aggregation so that ratios are ratios of sums.

use crate::SemanticError;

#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    Indicator(String),
    Number(f64),
    Binary(Box<Formula>, Op, Box<Formula>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Formula {
    pub fn parse(text: &str) -> Result<Formula, SemanticError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, pos: 0, text };
        let formula = parser.expr()?;
        if parser.pos != parser.tokens.len() {
            return Err(parser.error("unexpected text after the end of the formula"));
        }
        Ok(formula)
    }

    /// Indicator codes the formula reads.
    pub fn references(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Formula::Indicator(code) => out.push(code),
            Formula::Number(_) => {}
            Formula::Binary(l, _, r) => {
                l.collect(out);
                r.collect(out);
            }
        }
    }

    pub fn divides(&self) -> bool {
        match self {
            Formula::Binary(l, op, r) => *op == Op::Div || l.divides() || r.divides(),
            _ => false,
        }
    }

    /// `None` when an input is undefined or a divisor is zero.
    pub fn eval(&self, value_of: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        match self {
            Formula::Indicator(code) => value_of(code),
            Formula::Number(n) => Some(*n),
            Formula::Binary(l, op, r) => {
                let (a, b) = (l.eval(value_of)?, r.eval(value_of)?);
                match op {
                    Op::Add => Some(a + b),
                    Op::Sub => Some(a - b),
                    Op::Mul => Some(a * b),
                    Op::Div if b == 0.0 => None,
                    Op::Div => Some(a / b),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Number(f64),
    Op(char),
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<Token>, SemanticError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            let n = s.parse().map_err(|_| SemanticError::Formula {
                formula: text.to_string(),
                message: format!("`{s}` is not a number"),
            })?;
            tokens.push(Token::Number(n));
        } else if "+-*/".contains(c) {
            tokens.push(Token::Op(c));
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else {
            return Err(SemanticError::Formula {
                formula: text.to_string(),
                message: format!("unexpected character `{c}`; formulas use indicator codes, numbers, + - * / and parentheses"),
            });
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> SemanticError {
        SemanticError::Formula {
            formula: self.text.to_string(),
            message: message.to_string(),
        }
    }

    fn expr(&mut self) -> Result<Formula, SemanticError> {
        let mut left = self.term()?;
        while let Some(Token::Op(c @ ('+' | '-'))) = self.tokens.get(self.pos).cloned() {
            self.pos += 1;
            let right = self.term()?;
            let op = if c == '+' { Op::Add } else { Op::Sub };
            left = Formula::Binary(Box::new(left), op, Box::new(right));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Formula, SemanticError> {
        let mut left = self.factor()?;
        while let Some(Token::Op(c @ ('*' | '/'))) = self.tokens.get(self.pos).cloned() {
            self.pos += 1;
            let right = self.factor()?;
            let op = if c == '*' { Op::Mul } else { Op::Div };
            left = Formula::Binary(Box::new(left), op, Box::new(right));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Formula, SemanticError> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        match token {
            Some(Token::Ident(name)) => Ok(Formula::Indicator(name)),
            Some(Token::Number(n)) => Ok(Formula::Number(n)),
            Some(Token::Open) => {
                let inner = self.expr()?;
                match self.tokens.get(self.pos) {
                    Some(Token::Close) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(self.error("a `(` is not closed")),
                }
            }
            _ => Err(self.error("expected an indicator code, a number or `(`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_evaluates_with_precedence() {
        let f = Formula::parse("a - b * (c + 1)").unwrap();
        assert_eq!(f.references(), vec!["a", "b", "c"]);
        let v = f.eval(&|code| match code {
            "a" => Some(10.0),
            "b" => Some(2.0),
            "c" => Some(3.0),
            _ => None,
        });
        assert_eq!(v, Some(2.0));
    }

    #[test]
    fn division_by_zero_is_undefined() {
        let f = Formula::parse("a / b").unwrap();
        assert!(f.divides());
        assert_eq!(f.eval(&|c| Some(if c == "a" { 1.0 } else { 0.0 })), None);
    }

    #[test]
    fn rejects_bad_text() {
        assert!(Formula::parse("a +").is_err());
        assert!(Formula::parse("a ; b").is_err());
        assert!(Formula::parse("(a").is_err());
    }
}

//! The query line's syntax: what parses to what, and what every bad token says (and where).

use seats::filter::{Facet, Query, Vocabulary, facet_tokens, parse, parse_in, quote_value};

fn vocabulary() -> Vocabulary {
    Vocabulary {
        products: vec![
            "confluence".into(),
            "jira-servicedesk".into(),
            "jira-software".into(),
        ],
        groups: vec![
            "confluence-users".into(),
            "eng".into(),
            "eng platform".into(),
            "jira-software-users".into(),
        ],
    }
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

#[test]
fn tokens_parse_to_words_and_facets() {
    use Facet::*;
    let cases: Vec<(&str, Query)> = vec![
        ("", Query::default()),
        ("   ", Query::default()),
        (
            "John  SMITH",
            Query {
                words: words(&["john", "smith"]),
                ..Query::default()
            },
        ),
        (
            "product:jira-software idle:90 never",
            Query {
                facets: vec![
                    (false, Product("jira-software".into())),
                    (false, Idle(90)),
                    (false, Never),
                ],
                ..Query::default()
            },
        ),
        (
            "idle:30d !idle:60",
            Query {
                facets: vec![(false, Idle(30)), (true, Idle(60))],
                ..Query::default()
            },
        ),
        (
            "status:invited status:Not-Invited !status:active",
            Query {
                facets: vec![
                    (false, Status("not_invited".into())),
                    (false, Status("not_invited".into())),
                    (true, Status("active".into())),
                ],
                ..Query::default()
            },
        ),
        (
            "type:APP domain:@Contractor.Example",
            Query {
                facets: vec![
                    (false, Type("app".into())),
                    (false, Domain("contractor.example".into())),
                ],
                ..Query::default()
            },
        ),
        (
            r#"group:"eng platform" !group:eng ADMIN !Synced"#,
            Query {
                facets: vec![
                    (false, Group("eng platform".into())),
                    (true, Group("eng".into())),
                    (false, Admin),
                    (true, Synced),
                ],
                ..Query::default()
            },
        ),
        // Quotes make a facet's name a plain word; a quoted word keeps its space.
        (
            r#""admin" "never" "john smith""#,
            Query {
                words: words(&["admin", "never", "john smith"]),
                ..Query::default()
            },
        ),
        (
            "!turing ada",
            Query {
                words: words(&["ada"]),
                excluded_words: words(&["turing"]),
                ..Query::default()
            },
        ),
        // A colon after something that is not a facet name is part of a word.
        (
            "10:30 a.b@c:d",
            Query {
                words: words(&["10:30", "a.b@c:d"]),
                ..Query::default()
            },
        ),
        (
            r#"group:"say \"hi\"""#,
            Query {
                facets: vec![(false, Group("say \"hi\"".into()))],
                ..Query::default()
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(text).unwrap(), expected, "{text:?}");
    }
}

#[test]
fn product_aliases_resolve_to_the_directory_keys() {
    let v = vocabulary();
    let cases = [
        ("product:jira-software", "jira-software"),
        ("product:JIRA-SOFTWARE", "jira-software"),
        ("product:jsw", "jira-software"),
        ("product:jsm", "jira-servicedesk"),
        ("product:jira-service-management", "jira-servicedesk"),
        (r#"product:"Jira Service Management""#, "jira-servicedesk"),
        ("product:Confluence", "confluence"),
        // Known to seats though nobody here holds it: valid, selects nobody.
        ("product:trello", "trello"),
        ("product:jwm", "jira-core"),
    ];
    for (text, key) in cases {
        assert_eq!(
            parse_in(text, &v).unwrap().facets,
            vec![(false, Facet::Product(key.into()))],
            "{text:?}"
        );
    }
}

#[test]
fn bad_tokens_say_what_is_wrong_and_where() {
    let v = vocabulary();
    // (query, text the message contains, the underlined token)
    let cases = [
        (
            "john prodct:jira",
            "unknown facet `prodct:` (did you mean `product:`?); facets are product:, idle:N, \
             never, status:, type:, domain:, group:, admin, synced (prefix ! to negate)",
            "prodct:jira",
        ),
        (
            "colour:red",
            "unknown facet `colour:`; facets are",
            "colour:red",
        ),
        (
            "idle:abc",
            "idle: needs a number of days, e.g. idle:90",
            "idle:abc",
        ),
        ("idle:", "idle: needs a number of days", "idle:"),
        ("a idle:-5", "idle: needs a number of days", "idle:-5"),
        ("idle:+5", "idle: needs a number of days", "idle:+5"),
        (
            "idle:99999999999",
            "idle: needs a number of days",
            "idle:99999999999",
        ),
        (
            "status:gone",
            "unknown status `gone`; statuses are active, suspended, not_invited (or invited), \
             deactivated, for_deletion",
            "status:gone",
        ),
        ("status:", "status: needs a value", "status:"),
        (
            "type:robot",
            "unknown account type `robot`; account types are atlassian, app, customer",
            "type:robot",
        ),
        ("domain:", "domain: needs an email domain", "domain:"),
        ("domain:a@b", "domain: needs an email domain", "domain:a@b"),
        ("group:", "group: needs a group name", "group:"),
        (
            "product:",
            "product: needs a product key, e.g. product:jira-software; products here: \
             confluence, jira-servicedesk, jira-software",
            "product:",
        ),
        ("a ! b", "`!` needs a token right after it", "!"),
        ("synced !", "`!` needs a token right after it", "!"),
        ("!!synced", "`!!` is not needed", "!!"),
        (r#"group:"eng plat"#, "unclosed quote", r#""eng plat"#),
        (
            "product:jira-sofware",
            "unknown product `jira-sofware` (did you mean `product:jira-software`?); products \
             here: confluence, jira-servicedesk, jira-software; also known: jira-core",
            "product:jira-sofware",
        ),
        (
            "group:engg",
            "no group named `engg`; did you mean group:eng",
            "group:engg",
        ),
        (
            "group:platform",
            r#"did you mean group:"eng platform""#,
            "group:platform",
        ),
    ];
    for (text, message, token) in cases {
        let err = parse_in(text, &v).unwrap_err();
        assert!(
            err.message.contains(message),
            "{text:?}: {:?} lacks {message:?}",
            err.message
        );
        assert_eq!(&text[err.span.clone()], token, "{text:?}");
    }
}

#[test]
fn plain_parse_does_not_check_names() {
    assert!(parse("product:anything group:nobody").is_ok());
    assert!(parse_in("group:nobody", &vocabulary()).is_err());
    assert!(parse_in("group:ENG", &vocabulary()).is_ok());
}

#[test]
fn odd_input_never_panics_and_spans_fit_the_text() {
    let pieces = [
        "", " ", "!", "\"", "\\", ":", "group:", "product:", "idle:", "x", "é", "日本", "\t", "!!",
        "admin", "\"a b\"", "::", "status:", "\\\"",
    ];
    let mut seen_errors = 0;
    for a in pieces {
        for b in pieces {
            for c in pieces {
                let text = format!("{a}{b}{c}");
                for result in [parse(&text), parse_in(&text, &vocabulary())] {
                    if let Err(e) = result {
                        seen_errors += 1;
                        assert!(!e.message.is_empty());
                        assert!(e.span.start <= e.span.end && e.span.end <= text.len());
                        assert!(text.is_char_boundary(e.span.start), "{text:?} {:?}", e.span);
                        assert!(text.is_char_boundary(e.span.end), "{text:?} {:?}", e.span);
                    }
                }
            }
        }
    }
    assert!(seen_errors > 100);
}

#[test]
fn quoted_values_read_back_as_written() {
    let values = [
        "eng",
        "eng platform",
        "say \"hi\"",
        r"back\slash",
        "!bang",
        "a:b",
        "ünï cödé",
        "tab\there",
    ];
    for v in values {
        let text = format!("group:{}", quote_value(v));
        assert_eq!(
            parse(&text).unwrap().facets,
            vec![(false, Facet::Group(v.into()))],
            "{text:?}"
        );
    }
    assert_eq!(quote_value("eng"), "eng");
    assert_eq!(quote_value("eng platform"), "\"eng platform\"");
    assert_eq!(quote_value(""), "\"\"");
}

#[test]
fn every_listed_facet_token_parses() {
    let tokens = facet_tokens();
    assert!(tokens.len() >= 9);
    for t in tokens {
        assert!(!t.description.is_empty());
        let samples: Vec<String> = if !t.takes_value() {
            vec![t.token.to_owned()]
        } else if !t.values.is_empty() {
            t.values.iter().map(|v| format!("{}{v}", t.token)).collect()
        } else {
            let example = match t.token {
                "product:" => "confluence",
                "idle:" => "90",
                "domain:" => "acme.example",
                "group:" => "eng",
                other => panic!("no example for {other}"),
            };
            vec![format!("{}{example}", t.token)]
        };
        for s in samples {
            for text in [s.clone(), format!("!{s}")] {
                let q = parse_in(&text, &vocabulary()).unwrap();
                assert_eq!(q.facets.len(), 1, "{text:?}");
                assert_eq!(q.facets[0].0, text.starts_with('!'));
            }
        }
    }
}

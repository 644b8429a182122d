//! A walk through the screen points of issue 30 in a real terminal (tmux), on
//! the shipped graph, Les Misérables and the Aleph donations: the kind filter,
//! the date prompt, back, the donations pane, undirected ties, the map's
//! ranking and paging, the list popups and the money chart.
//!
//! Needs tmux (and python3 for the demo renderer): `#[ignore]`d under a plain
//! `cargo test`; `bash .ci/run` or `--include-ignored` runs them.

use crate::common;
use crate::common::tmux::Tmux;

fn ties_cmd() -> String {
    env!("CARGO_BIN_EXE_ties").to_string()
}

/// Starts `ties ARGS` in a fresh session and waits for its status bar.
fn open(name: &str, args: &str) -> Tmux {
    let t = Tmux::start(&format!("screens-{name}"));
    t.type_text(&format!("{} --no-cache {args}", ties_cmd()));
    t.keys(&["Enter"]);
    t.wait_for("dates: ");
    t
}

/// Esc, then waits for `popup` to be gone (a key typed at once after Esc
/// would be read with it as Alt and that key).
fn close(t: &Tmux, popup: &str) {
    t.keys(&["Escape"]);
    t.wait_until(&format!("{popup} closed"), |s| !s.contains(popup));
}

/// The text after `selected  ` on the card: the relation under the cursor.
fn selected_line(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| l.split_once("selected  ").map(|(_, r)| r.to_string()))
        .unwrap_or_default()
        .split('│')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn the_shipped_graph_filter_and_date_prompt() {
    let t = open("shipped", "--focus rustem-umerov");
    t.wait_for("person · rustem-umerov");
    // Only agreements: the focus stays, its memoranda are listed.
    t.type_text("f");
    t.wait_for("show only these kinds");
    t.type_text("agreement");
    t.keys(&["Enter"]);
    let s = t.wait_for("only agreement");
    assert!(!s.contains("nothing within the filter"), "{s}");
    assert!(s.contains("Memorandum"), "{s}");
    // A mistyped kind: did you mean.
    t.type_text("f");
    t.wait_for("show only these kinds");
    t.type_text("persn");
    t.keys(&["Enter"]);
    let s = t.wait_for("did you mean `person`?");
    assert!(
        s.contains("`persn` is not an entity or relation kind"),
        "{s}"
    );
    t.keys(&["C-u", "Enter"]);
    t.wait_for("kind filter cleared");
    // The date prompt replaces the window in force.
    t.type_text("d2024-11");
    t.keys(&["Enter"]);
    t.wait_for("dates: 2024-11");
    t.type_text("d");
    t.wait_for("typing replaces the text");
    t.type_text("2025");
    t.keys(&["Enter"]);
    let s = t.wait_for("dates: 2025");
    assert!(!s.contains("2024-112025"), "{s}");
    t.type_text("q");
    t.assert_shell_usable();
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn les_miserables_ties_once_and_a_ranked_map() {
    let path = common::data("gexf/LesMiserables.gexf");
    let t = open(
        "lesmis",
        &format!("--data '{}' --focus 11.0", path.display()),
    );
    let s = t.wait_for("entity · 11.0");
    assert!(s.contains("ties · 36"), "{s}");
    assert!(!s.contains("in · ") && !s.contains("out · "), "{s}");
    t.type_text("m");
    let s = t.wait_for("1–16 of 36");
    for name in ["Javert", "Marius", "Thenardier", "Cosette"] {
        assert!(s.contains(name), "{name} not on the map:\n{s}");
    }
    t.type_text("n");
    let s = t.wait_for("17–32 of 36");
    assert!(!s.contains(" Javert "), "{s}");
    t.type_text("N");
    t.wait_for("1–16 of 36");
    t.type_text("m");
    t.wait_for("ties · 36");
    // Help pages and stops at its end.
    t.type_text("?");
    t.wait_for(" lines 1–");
    t.keys(&["End"]);
    let s = t.wait_until("help at its end", |s| {
        s.lines().any(|l| {
            l.split_once(" lines ").is_some_and(|(_, r)| {
                let (range, total) = r.split_once(" of ").unwrap_or_default();
                let total = total.split_whitespace().next().unwrap_or_default();
                range.split('–').nth(1) == Some(total)
            })
        })
    });
    assert!(s.contains("dropped."), "{s}");
    close(&t, "┌ keys");
    t.type_text("q");
    t.assert_shell_usable();
}

#[test]
#[ignore = "needs tmux (bash .ci/setup-tools.sh)"]
fn donations_pane_back_popups_and_the_money_chart() {
    let path = common::data("ftm/donations.ijson");
    let t = open(
        "donations",
        &format!(
            "--data '{}' --focus c326dd8021ee75fe9608f31ecb4e2e7388144102",
            path.display()
        ),
    );
    let s = t.wait_for("in · 126");
    // Newest first, every date in one column.
    let dated: Vec<(usize, String)> = s
        .lines()
        .filter(|l| l.starts_with('│') && l.contains(" finances "))
        .filter_map(|l| {
            let pane: String = l.chars().skip(1).take_while(|&c| c != '│').collect();
            let chars: Vec<char> = pane.trim_end().chars().collect();
            let at = chars.len().checked_sub(10)?;
            let date: String = chars[at..].iter().collect();
            date.starts_with("20").then_some((at, date))
        })
        .collect();
    assert!(dated.len() > 20, "{s}");
    assert!(dated.iter().all(|(c, _)| *c == dated[0].0), "{dated:?}");
    assert!(dated.windows(2).all(|w| w[0].1 >= w[1].1), "{dated:?}");
    // Down a page and two, follow, come back: the same relation selected.
    t.keys(&["PageDown", "j", "j"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = selected_line(&t.wait_for("selected  "));
    assert!(!before.is_empty());
    t.keys(&["Enter"]);
    t.wait_until("moved", |s| !s.contains("in · 126"));
    t.keys(&["BSpace"]);
    let s = t.wait_for("in · 126");
    assert_eq!(selected_line(&s), before, "{s}");
    // Money: a chart of running totals, and a list that pages.
    t.type_text("$");
    let s = t.wait_for("running totals by date");
    assert!(
        s.contains("in transferred") && s.contains(" 1 of 126 "),
        "{s}"
    );
    t.keys(&["End"]);
    t.wait_for(" 126 of 126 ");
    t.type_text("g");
    t.wait_for(" 1 of 126 ");
    close(&t, "money of CDU");
    // The rank panel: bars, and n of N.
    t.type_text("r");
    let s = t.wait_for("rank by degree");
    assert!(s.contains('█') && s.contains(" 1 of 50 "), "{s}");
    t.type_text("G");
    t.wait_for(" 50 of 50 ");
    close(&t, "rank by degree");
    // The timeline is charted too.
    t.type_text("t");
    t.wait_for("running totals by date");
    close(&t, "timeline:");
    t.type_text("q");
    t.assert_shell_usable();
}

/// The README's picture: `scripts/demo/render.py` turns captured frames into
/// one animated SVG, colours and timing kept; the committed one is small.
#[test]
#[ignore = "needs python3"]
fn the_demo_renderer_makes_an_animated_svg() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    // Two frames as `tmux capture-pane -e -p` writes them, the second twice.
    let frames = [
        (
            "001-1.5",
            "\x1b[38;5;6m┌ map\x1b[0m\n\x1b[1;7mLithuania\x1b[0m ⣀⡤\n",
        ),
        ("002-2", "\x1b[32m€10,000,000\x1b[39m  2024-11-23\n"),
        ("003-0.5", "\x1b[32m€10,000,000\x1b[39m  2024-11-23\n"),
    ];
    for (name, text) in frames {
        std::fs::write(dir.path().join(format!("{name}.ansi")), text).unwrap();
    }
    let out = dir.path().join("demo.svg");
    let o = std::process::Command::new("python3")
        .arg(root.join("scripts/demo/render.py"))
        .arg(dir.path())
        .arg(&out)
        .output()
        .expect("python3 runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 frames, 4.0 s"));
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    // Each frame is shown for its share of the loop: 1.5 s of 4, then 2.5 s.
    assert!(
        svg.contains(
            "@keyframes k0{0.000%,37.499%{visibility:visible}37.500%,100%{visibility:hidden}}"
        ),
        "{svg}"
    );
    assert!(
        svg.contains("animation:k1 4.00s step-end infinite"),
        "{svg}"
    );
    // Colours (cyan 256-colour, green), bold reverse video as a background,
    // braille told its width.
    assert!(
        svg.contains("fill:#6cc0c0") && svg.contains("fill:#8cc06b"),
        "{svg}"
    );
    assert!(
        svg.contains(r##"<rect x="10" y="0" width="75.6" height="17" fill="#d0d3d0"/>"##),
        "{svg}"
    );
    assert!(svg.contains(r#"textLength="25.2""#), "{svg}");
    // The README shows the committed picture, small enough for a page.
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("](assets/explorer.svg)"));
    let size = std::fs::metadata(root.join("assets/explorer.svg"))
        .unwrap()
        .len();
    assert!(size < 300_000, "assets/explorer.svg is {size} bytes");
}

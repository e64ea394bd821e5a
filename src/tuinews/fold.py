"""Reader mode: the paragraphs that are not the story, folded (never deleted).

Donation and subscription appeals, newsletter sign-ups, "follow us" lines, share bars,
series and syndication footers ("The post … appeared first on …") and an excerpt that
only repeats the story's start are folded into one dim line per run, e.g.
`▸ 4 paragraphs folded: appeal`; unfolding shows them where they were. Pure logic:
the library stores the repetition counts, the reader draws the lines.

Two signals
-----------
Repetition across a site's articles (any language, no word list):
    `paragraph_key(text)` is a block's signature: NFKC, casefolded, punctuation, link
    markers ("[3]") and spacing dropped, every run of digits read as one "#", hashed
    (blake2b, 24 hex digits; `KEY_VERSION` changes when the normalisation does).
    `article_keys(blocks)` is the set of keys of one article, to count once per
    article: the store keeps, per feed or site, in how many distinct articles each
    key occurs. `template_keys(counts, articles)` turns those counts into the keys
    that are template text.
A phrase lexicon for single articles (`LEXICON`: 100 phrases, 40 English, 29 German,
16 French, 15 Spanish, each with an example it folds; plus two word-level rules, a
newsletter box's title such as "Cicero Newsletter" and a share bar made of nothing but
share words, and the "The post … appeared first on …" footer in the four languages):
    `appeal_reason(text)` says why one paragraph is not the story ("appeal",
    "newsletter", "follow us", "share", "footer") or None. A paragraph is tried only
    against the phrases whose first word it contains.

Folding
-------
`split_glued(text)` cuts a paragraph where a sentence ends with no space before the
next ("…makes all the difference.It is “highly unlikely”…") and before a trailing
"The post … appeared first on …" footer, so an appeal glued to the story's first
sentence folds while the story keeps its sentence.

`fold_blocks(blocks, template=..., summary=...)` decides, for every block, whether it is
shown or folded and why (a `FoldReason`), and returns a `FoldedArticle`: `pieces` (every
block, or part of a glued block, in reading order with its verdict), `shown` (the
blocks the reader shows), `folds` (runs of folded pieces: the position among the shown
blocks where the run's dim line goes, its blocks, its reasons), `summary_repeats` (the
standfirst passed as `summary` only repeats the story's start: the caller may fold it),
and `held_back` (why nothing was folded although something looked like boilerplate).
`fold_line(fold)` is the dim line's text; the key hint is the reader's.

Guarantees: a heading folds only when its own text is an appeal ("Sign up for our
newsletter") or when nothing of its section is shown, so a story's headings never
fold; folding never hides every paragraph (then nothing is folded and `held_back` says
so); no block is lost: `unfolded()` is the input in order, a glued paragraph as its
parts, whose texts join to the original exactly. Runs of folded blocks take the rules
between them along, so one dim line stands for them.

Thresholds, and why
-------------------
* A block gets a repetition key only with at least 5 words and 20 letters (or 15
  characters of a script written without spaces). Short lines that repeat ("Photo:
  Reuters", "Related", a byline, a one-word heading) carry too little to tell a template
  from a coincidence, and folding one line into a one-line fold saves nothing.
  Headings never get a key: they fold only with their section.
* Template text: a key found in at least 3 distinct articles and in at least a fifth of
  the articles counted. Two stories of one developing story often share a quote, so 2
  is never enough; a site's footer sits in most of its articles, while a quote shared
  by three stories of a large feed is a small share of it. The store should count over
  a recent window of articles (e.g. the last 200) so that an appeal a site added
  recently reaches a fifth of the window soon.
* The lexicon reads paragraphs of at most 1,000 characters (about 150 words): a longer
  block that mentions "our newsletter" is a story paragraph that happens to.
* Lexicon phrases are written for a reader being addressed: an imperative at the start
  of a sentence ("Sign up…", "Jetzt spenden", "Abonnez-vous", "Suscríbete"), or an
  "our/your" object ("support our journalism", "Ihre Spende hilft"). A paragraph that
  attributes speech ("said", "sagte", "a déclaré", "dijo", "according to", …) is
  reporting, not appealing, and only the footer patterns apply to it.
* "Repeats the start": a paragraph of at least 6 words (and at most 5,000 characters)
  among the first or last three, whose text (a trailing "…", "[…]" or "Read more"
  aside) is the beginning of the story's first other paragraphs; the same test tells
  `summary_repeats`.

Linearity
---------
Feed text is hostile, so no pattern here can backtrack catastrophically: the lexicon
is written in a small notation (see `_compile`) whose only quantifiers are bounded,
and `_compile` refuses a pattern with an unbounded one (and the lexicon only reads
paragraphs of up to 1,000 characters); the other patterns scan single character
classes or bounded windows (the last 800 characters for a footer, 40 characters
around a glue point). A test folds a 1 MB adversarial paragraph.
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from tuinews.render.blocks import Block, BlockKind

__all__ = [
    "APPEAL_MAX_CHARS",
    "KEY_VERSION",
    "LEXICON",
    "TEMPLATE_MIN_ARTICLES",
    "TEMPLATE_MIN_SHARE",
    "Fold",
    "FoldReason",
    "FoldedArticle",
    "Phrase",
    "Piece",
    "appeal_reason",
    "article_keys",
    "fold_blocks",
    "fold_line",
    "paragraph_key",
    "split_glued",
    "template_keys",
]


class FoldReason(enum.StrEnum):
    """Why a block is folded: the word the dim line shows."""

    TEMPLATE = "template"  # repeated across the site's articles
    APPEAL = "appeal"  # donation, membership, subscription, paywall
    NEWSLETTER = "newsletter"
    FOLLOW = "follow us"
    SHARE = "share"
    FOOTER = "footer"  # "The post … appeared first on …", republication, series, affiliate
    REPEATS_START = "repeats the start"


# ---------------------------------------------------------------------------
# Repetition keys

KEY_VERSION = 1
KEY_MIN_WORDS = 5
KEY_MIN_LETTERS = 20
KEY_MIN_WIDE = 15  # characters of CJK and other scripts written without spaces
TEMPLATE_MIN_ARTICLES = 3
TEMPLATE_MIN_SHARE = 0.2

_KEYED_KINDS = frozenset(
    {BlockKind.PARAGRAPH, BlockKind.QUOTE, BlockKind.LIST_ITEM, BlockKind.IMAGE}
)
_LINK_MARKER = re.compile(r"\[\d{1,6}\]")
_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def _fold_case(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def paragraph_key(text: str) -> str | None:
    """The signature of a block for repetition counting, or None when it is too short.

    Case, punctuation, spacing, link markers and the digits of dates and counts do not
    change the key ("© 2024 Foo" and "© 2025 Foo" share one); the words do.
    """
    tokens = _TOKEN.findall(_LINK_MARKER.sub(" ", _fold_case(text)))
    words = [token for token in tokens if not token[0].isdigit()]
    letters = sum(map(len, words))
    if len(words) < KEY_MIN_WORDS or letters < KEY_MIN_LETTERS:
        wide = sum(unicodedata.east_asian_width(char) in "WF" for word in words for char in word)
        if wide < KEY_MIN_WIDE:
            return None
    signature = " ".join("#" if token[0].isdigit() else token for token in tokens)
    return hashlib.blake2b(signature.encode(), digest_size=12).hexdigest()


def _block_texts(blocks: Sequence[Block]) -> Iterator[str]:
    """The texts a store counts: each keyed block, and the parts of a glued one."""
    for block in blocks:
        if block.kind in _KEYED_KINDS:
            yield block.text
            parts = split_glued(block.text)
            if len(parts) > 1:
                yield from parts


def article_keys(blocks: Sequence[Block]) -> set[str]:
    """The distinct keys of one article (a paragraph repeated within it counts once)."""
    return {key for text in _block_texts(blocks) if (key := paragraph_key(text))}


def text_keys(text: str) -> set[str]:
    """The keys of one article from its stored search text, without laying it out:
    text made from HTML has a block per line; plain text has paragraphs between
    blank lines, hard-wrapped inside."""
    if "\n\n" in text:
        paragraphs = (" ".join(chunk.split()) for chunk in text.split("\n\n"))
    else:
        paragraphs = iter(text.split("\n"))
    return {key for paragraph in paragraphs if (key := paragraph_key(paragraph))}


def template_keys(counts: Mapping[str, int], articles: int) -> set[str]:
    """Keys that are template text, given in how many of `articles` articles each occurs.

    At least TEMPLATE_MIN_ARTICLES articles and at least TEMPLATE_MIN_SHARE of them.
    """
    floor = max(TEMPLATE_MIN_ARTICLES, TEMPLATE_MIN_SHARE * articles)
    return {key for key, count in counts.items() if count >= floor}


# ---------------------------------------------------------------------------
# The lexicon

APPEAL_MAX_CHARS = 1_000

# Pattern notation, matched case-insensitively against the text in NFKC with ’ as ',
# spaces collapsed and link markers removed:  a space = 1-3 non-word characters;
# " … " = up to four words between;  "~" = up to four more word characters (a word's
# endings);  a leading "^" = the start of a sentence;  a leading "<" = the start of the
# paragraph;  a trailing ">" = the end of the paragraph;  "(?-i:Sie)" = the formal "Sie"
# only, capitalised (so "unterstützen Sie uns", not "seit Jahren unterstützen sie uns").
# Otherwise regex syntax, without * + or {n,}; a match must end at the end of a word.
_SEP = r"\W{1,3}"
_GAP = r"\W{1,3}(?:\w{1,30}\W{1,3}){0,4}"
_SENTENCE_START = r"(?:\A|(?<=[.!?:;»›|•–—)\]\"”] )|(?<=[.!?:;»›|•]))"
_UNBOUNDED = re.compile(r"(?<!\\)[*+]|\{\d*,\}")


def _compile(pattern: str) -> re.Pattern[str]:
    body = pattern
    start = ""
    if body.startswith("^"):
        start, body = _SENTENCE_START, body[1:]
    elif body.startswith("<"):
        start, body = r"\A", body[1:]
    end = r"(?!\w)"
    if body.endswith(" … >"):  # up to four words, then the end
        end, body = r"(?:\W{1,3}\w{1,30}){0,4}\W{0,3}\Z", body[:-4]
    elif body.endswith(">"):
        end, body = r"\W{0,3}\Z", body[:-1]
    elif body.endswith("~"):
        end = ""
    body = body.replace(" … ", "\0").replace(" ", _SEP).replace("\0", _GAP)
    body = body.replace("~", r"\w{0,4}")
    source = start + r"\b" + body + end
    if _UNBOUNDED.search(pattern) or _UNBOUNDED.search(source):
        raise ValueError(f"unbounded quantifier in lexicon pattern {pattern!r}")
    return re.compile(source, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Phrase:
    """One lexicon entry: its language, its reason, its pattern and a text it folds."""

    lang: str
    reason: FoldReason
    pattern: str
    example: str
    regex: re.Pattern[str]


_N, _F, _S, _A, _X = (
    FoldReason.NEWSLETTER,
    FoldReason.FOLLOW,
    FoldReason.SHARE,
    FoldReason.APPEAL,
    FoldReason.FOOTER,
)
_NETWORKS = (
    "(facebook|twitter|x|instagram|linkedin|xing|whatsapp|telegram|threads|bluesky|mastodon"
    "|youtube|tiktok|pinterest|reddit|flipboard|messenger|e-mail|email|mail|courriel|correo)"
)

# (language, reason, pattern, an example it folds). Order matters: the first match wins,
# so the specific reasons (footer, newsletter, follow, share) come before "appeal".
_TABLE: tuple[tuple[str, FoldReason, str, str], ...] = (
    # English
    ("en", _X, "^this (article|story|post|piece|essay|interview|report) (was |is |has been"
     " )?(originally |first )?(published|appeared|republished|posted|reproduced) (on|in|at|by|from"
     "|with)", "This article was originally published on The Conversation."),
    ("en", _X, "<(originally|first) (published|posted|appeared) (on|in|at) … >",
     "Originally published on Medium."),
    ("en", _X, "^this (article|story|post|piece) is part of (our|a|the) … (series|project"
     "|coverage)", "This story is part of our series on the housing crisis."),
    ("en", _X, "^(read|see|explore) (more|all|the rest) (of|from|in) (our|this|the) … (series"
     "|coverage)", "Read more from our series on the housing crisis."),
    ("en", _X, "(when|if) you (buy|purchase|shop) (something )?(through|via|using) (links|a link"
     "|our links|one of our links) on our (site|website|page|articles)",
     "When you buy through links on our site, we may earn an affiliate commission."),
    ("en", _X, "we may (earn|receive|get) (an|a small|a) (affiliate )?(commission|fee)",
     "As an Amazon Associate we may earn a commission from qualifying purchases."),
    ("en", _N, "^(please )?(sign up|subscribe|register|opt in) (now |today |here |free )?(for|to)"
     " … (newsletter~|bulletin~|digest|e-mail updates|email updates|briefing)",
     "Sign up for our free daily newsletter, The Economist today."),
    ("en", _N, "(sign up|subscribe|register) (for|to) (our|my) … newsletter~",
     "To get the week's best stories, subscribe to our newsletter."),
    ("en", _N, "(get|receive) (our|my) … newsletter~", "Receive our monthly newsletter."),
    ("en", _N, "^(get|receive|have) … (delivered |sent )?(straight |directly |right )?(delivered "
     "|sent )?to your inbox", "Receive new posts directly delivered to your inbox."),
    ("en", _N, "newsletter~ … (to|in|into) your inbox", "Our newsletter, straight to your inbox."),
    ("en", _N, "^enter your e-?mail( address)? … (subscribe|sign up|updates|newsletter"
     "|notifications)",
     "Enter your email address to subscribe to this blog and receive notifications of new posts."),
    ("en", _N, "^(don't|never) miss (a|another|an) (post|story|thing|update|issue|article|episode)",
     "Never miss a post: get updates directly to your inbox."),
    ("en", _N, "^subscribe to … (via|by) (rss|e-?mail)", "Subscribe to Python Insider via RSS."),
    ("en", _N, "<subscribe (to|for) … >", "Subscribe to Python Insider"),
    ("en", _F, "^(please )?follow (us|me) (on|at|via|@)", "Follow us on Twitter and Facebook."),
    ("en", _F, f"^(like|find|join|connect with) us on {_NETWORKS}", "Like us on Facebook."),
    ("en", _F, f"^(join|follow|subscribe to) (our|my) … {_NETWORKS} (channel|group|community)",
     "Join our WhatsApp channel for breaking news."),
    ("en", _F, "^for (the latest|more|breaking) … (news|stories|updates) … download (the|our) …"
     " app~", "For the latest stories and breaking news updates download the Nationnews apps."),
    ("en", _S, "^share (this|the) (article|story|post|page|piece|video|link)",
     "Share this article with a friend."),
    ("en", _S, f"^share (on|to|via|with) {_NETWORKS}", "Share to Facebook"),
    ("en", _S, "^click to (share|email|print|tweet|post)",
     "Click to share on X (opens in new window)"),
    ("en", _A, "^(please )?(support|fund|back) (our|independent|local|quality|nonprofit|non-profit"
     "|public-interest|public interest|reader-funded|this) … (journalism|reporting|newsroom|work"
     "|mission|coverage|site|blog|podcast)", "Support independent journalism today."),
    ("en", _A, "<(please )?support (us|me|our work|our journalism)>", "Support us"),
    ("en", _A, "^(please )?(donate|give) (now|today|here|monthly|once|what you can)",
     "Donate now and double your impact."),
    ("en", _A, "^(please )?(make|consider making|consider) (a|your) … (donation|contribution|gift)",
     "Make a tax-deductible donation."),
    ("en", _A, "please consider (supporting|donating|subscribing|becoming|making|a donation|a"
     " contribution|chipping in|a gift|a subscription)",
     "If you found this useful, please consider supporting us."),
    ("en", _A, "^(please )?(become|join us as|sign up as) (a|an) (paying |monthly |digital"
     " )?(member|supporter|patron|subscriber|sustaining member|friend)",
     "Become a member: it takes two minutes."),
    ("en", _A, "we (rely|depend|count) on (you|your (support|donations|generosity|help)|readers"
     " like you|the support of readers)",
     "We rely on your support to make local news available to all."),
    ("en", _A, "your (support|donation|contribution|gift|pledge) (today |now )?(helps|makes|keeps"
     "|allows|enables|ensures|means|matters|powers|funds|sustains|protects)",
     "Your support makes all the difference."),
    ("en", _A, "(every|any|each) (donation|contribution|gift|dollar|pound|euro) … (counts|matters"
     "|helps|makes a difference|makes all the difference|makes a real difference)",
     "Every contribution, however big or small, makes all the difference."),
    ("en", _A, "^subscribe (now|today|here)",
     "Subscribe now to our eNATION edition for the full story."),
    ("en", _A, "^(get|enjoy|unlock|start) (unlimited|full|complete) (digital )?access",
     "Get unlimited digital access for $1 a week."),
    ("en", _A, "^already (a|an) (subscriber|member|supporter)\\?", "Already a subscriber? Log in."),
    ("en", _A, "(support|join) (us|me) on (patreon|ko-fi|steady|substack|liberapay)",
     "Support us on Patreon."),
    ("en", _A, "buy (us|me) a coffee", "Enjoyed this? Buy me a coffee."),
    ("en", _A, "^if you (value|enjoy|enjoyed|like|liked|appreciate|love|found|rely on|believe in)"
     " (this|our|what we|my|the work) … (please|consider|support|donat|subscrib|chip in|help)~",
     "If you value our journalism, please support us."),
    ("en", _A, "^help (us )?(keep|fund|support|sustain|protect) (our|local|independent|this|free)"
     " … (journalism|reporting|news|newsroom|work|site)", "Help us keep local journalism free."),
    ("en", _A, "(keep|keeps|make|makes) (our|local|this|independent) … (journalism|news|reporting)"
     " (free|available|open) (to|for) (all|everyone|everybody)",
     "Your gift keeps our journalism free for everyone."),
    ("en", _A, "^(this|our) (journalism|reporting|work) (is|was) (made possible|funded|supported)"
     " by (readers|our members|donations|people like you|you)",
     "This reporting was made possible by readers like you."),
    # German
    ("de", _X, "^(dieser|der) (artikel|beitrag|text) (ist|erschien|wurde) (zuerst |ursprünglich "
     "|erstmals )?(auf|in|bei|von) … (erschienen|veröffentlicht|publiziert)",
     "Dieser Artikel ist zuerst auf netzpolitik.org erschienen."),
    ("de", _X, "(erhalten|bekommen) wir … provision",
     "Beim Kauf erhalten wir eine kleine Provision."),
    ("de", _X, "(affiliate|partner)-?links? … (provision|vergütung)",
     "Die mit Sternchen markierten Affiliate-Links bringen uns eine Provision."),
    ("de", _N, "(abonniere|abonniert|abonnieren (?-i:Sie)|bestelle|bestellen (?-i:Sie)|hol dir"
     "|holen (?-i:Sie) sich) (jetzt )?(unseren|unsere|unser|meinen|meine) … (newsletter~"
     "|nachrichtenüberblick|briefing|podcast|kanal)",
     "Abonniere unseren Newsletter und erfahre alles Wissenswerte."),
    ("de", _N, "^(abonnieren (?-i:Sie)|bestellen (?-i:Sie)) (jetzt )?(den|das|die) … (newsletter~"
     "|briefing)", "Bestellen Sie jetzt den kostenlosen Newsletter."),
    ("de", _N, "(melde dich|meldet euch|melden (?-i:Sie) sich|trag dich|tragen (?-i:Sie) sich)"
     " (jetzt |gleich |hier )?(für|zu|zum|in) … newsletter~",
     "Melden Sie sich für unseren Newsletter an."),
    ("de", _N, "^(jetzt |kostenlos |gratis |hier )?(zum|für den|für unseren) … newsletter (an"
     "|anmelden|abonnieren|bestellen|eintragen)", "Jetzt zum kostenlosen Newsletter anmelden."),
    ("de", _N, "<newsletter (abonnieren|bestellen|anmelden|erhalten)", "Newsletter abonnieren"),
    ("de", _N, "(möchten (?-i:Sie)|möchtest du|willst du|wollen (?-i:Sie)) (unseren|unsere|den"
     "|meinen) … newsletter~", "Möchten Sie unseren Newsletter erhalten?"),
    ("de", _N, "ich möchte (den|unseren|ihren|euren|deinen) … newsletter~",
     "Ja, ich möchte den wöchentlichen Newsletter bekommen."),
    ("de", _N, "(mit|über) (unserem|meinem|dem) … newsletter~ (bleiben|erhalten|verpass|informier"
     "|sind|bist|seid|erfährst|erfahren)~",
     "Mit unserem Newsletter erhalten Sie monatlich Informationen."),
    ("de", _N, "^unser (kostenloser |wöchentlicher |täglicher |monatlicher )?newsletter~"
     " (informiert|bringt|liefert|hält)",
     "Unser kostenloser Newsletter informiert Sie über unsere Beiträge."),
    ("de", _N, "(verpasst du|verpasst ihr|verpassen (?-i:Sie)|du verpasst|ihr verpasst|(?-i:Sie)"
     " verpassen) (keinen|keine|nichts) … mehr",
     "Mit meinem kostenlosen Newsletter verpasst du keine Artikel mehr."),
    ("de", _N, "^(bleib|bleiben (?-i:Sie)|bleibt) (immer )?auf dem laufenden (mit|über|durch) (dem"
     "|unserem|unseren|meinem) … newsletter~",
     "Bleiben Sie auf dem Laufenden mit dem kostenlosen Spektrum.de Newsletter."),
    ("de", _N, "<(\\w{1,30} )?(per|via|über) e-?mail abonnieren>", "Blog via E-Mail abonnieren"),
    ("de", _F, "^(folgen (?-i:Sie)|folge|folgt) (uns|mir) (gerne |doch |auch |jetzt )?(auf|bei|in"
     "|via|über)", "Folgt mir gerne auf Instagram."),
    ("de", _F, "(whatsapp|telegram)-?(kanal|channel) … abonnier~",
     "WDR aktuell Whatsapp-Kanal abonnieren"),
    ("de", _S, f"^(artikel |beitrag |seite )?(teilen|teile) (auf|via|per|mit|bei) {_NETWORKS}",
     "Teilen auf Facebook"),
    ("de", _S, f"^(auf|via|per|bei) {_NETWORKS} teilen", "Auf Facebook teilen"),
    ("de", _A, "^(jetzt|hier|bitte) (spenden|mitglied werden|abonnieren|abo abschließen"
     "|unterstützer werden)(?!\\W{1,3}(?!und\\b)\\w)", "Jetzt spenden!"),
    ("de", _A, "^(spenden (?-i:Sie)|spende) (jetzt|hier|heute|uns|für|einen)",
     "Spenden Sie jetzt für unabhängigen Journalismus."),
    ("de", _A, "unterstützen (?-i:Sie) (uns|unsere arbeit|unsere redaktion|unseren journalismus"
     "|unabhängigen journalismus|kritischen journalismus|den blog|die redaktion|dieses projekt"
     "|unser projekt)", "Unterstützen Sie unsere Arbeit mit einem Beitrag."),
    ("de", _A, "^unterstütze (uns|unsere arbeit|unseren|das projekt|dieses projekt|den blog|mich)",
     "Unterstütze das Projekt:"),
    ("de", _A, "((?-i:Ihre)|deine|eure) spende (hilft|ermöglicht|zählt|macht|sichert|trägt)",
     "Ihre Spende hilft uns, unabhängig zu bleiben."),
    ("de", _A, "(deine|eure) (unterstützung|hilfe|mitgliedschaft) (hilft|ermöglicht|zählt|macht"
     "|sichert|trägt)", "Deine Unterstützung macht unsere Arbeit erst möglich."),
    ("de", _A, "^(werden (?-i:Sie)|werdet) (jetzt )?(mitglied|unterstützer|unterstützerin|förderer"
     "|förderin|abonnent|abonnentin|fördermitglied)",
     "Werden Sie Mitglied und stärken Sie den Lokaljournalismus."),
    ("de", _A, "^werde (jetzt )?(mitglied|unterstützer|unterstützerin|förderer|abonnent"
     "|fördermitglied)", "Werde jetzt Mitglied!"),
    ("de", _A, "(du|ihr) (überweis|überweise|überweist|überweisst|überweisen) … (spende|beitrag)",
     "Oder du überweisst deine Spende an folgendes Konto."),
    ("de", _A, "<(nur|exklusiv) für (abonnenten|abonnentinnen|abonnierende|digital-abonnenten"
     "|digitalabonnenten|plus-abonnenten)", "Nur für Abonnenten"),
    # French
    ("fr", _X, "^(cet|cette) (article|entretien|tribune|chronique|texte) (a été|est) (initialement"
     " |d'abord |originellement )?(publié|publiée|paru|parue) (sur|dans|par)",
     "Cet article a été initialement publié sur The Conversation."),
    ("fr", _N, "(inscrivez-vous|abonnez-vous|inscris-toi|abonne-toi) … (newsletter~|lettre"
     " d'information|infolettre|lettre d'info|lettre hebdomadaire)",
     "Inscrivez-vous à notre newsletter."),
    ("fr", _N, "(recevez|recevoir) (notre|nos) … (newsletter~|lettre|infolettre|actualités"
     "|alertes)", "Recevez notre newsletter chaque matin."),
    ("fr", _N, "inscription à (la|notre|nos) (newsletter~|lettre|infolettre)",
     "Inscription à la newsletter"),
    ("fr", _N, "^(ne manquez|ne ratez|ne manque|ne rate) (rien|aucun|aucune|plus)",
     "Ne manquez aucun article : abonnez-vous."),
    ("fr", _F, "^(suivez-nous|suivez nous|retrouvez-nous|rejoignez-nous|suivez-moi) (sur|via|aussi"
     "|on)", "Suivez-nous sur Twitter."),
    ("fr", _S, f"^partager (sur|via|par) {_NETWORKS}", "Partager sur Facebook"),
    ("fr", _S, "^(partagez|partager) (cet article|cette page|cette publication|l'article)",
     "Partagez cet article."),
    ("fr", _A, "^(faites|faire|je fais) un don", "Faites un don pour soutenir notre rédaction."),
    ("fr", _A, "^soutenez(-nous| nous| notre| le journalisme| l'information| la rédaction| un"
     " journalisme| une presse)", "Soutenez-nous : chaque contribution compte."),
    ("fr", _A, "^(devenez|deviens) (membre|abonné|abonnée|donateur|donatrice|mécène|soutien)",
     "Devenez membre de notre communauté."),
    ("fr", _A, "^(abonnez-vous|je m'abonne|abonne-toi)", "Abonnez-vous pour lire la suite."),
    ("fr", _A, "votre (soutien|don|contribution) (nous|est essentiel|est indispensable|compte"
     "|permet|aide|fait la différence)", "Votre soutien est essentiel à notre indépendance."),
    ("fr", _A, "^(déjà|vous êtes déjà) (abonné|abonnée|membre)", "Déjà abonné ? Connectez-vous."),
    ("fr", _A, "^(aidez-nous|aidez nous) (à|a)", "Aidez-nous à rester indépendants."),
    ("fr", _A, "<(réservé|réservée|réservés|article réservé) aux abonnés", "Réservé aux abonnés"),
    # Spanish
    ("es", _X, "^(este|esta) (artículo|nota|entrevista|texto|columna) (fue|ha sido) (publicado"
     "|publicada) (originalmente |primero |inicialmente )?(en|por)",
     "Este artículo fue publicado originalmente en The Conversation."),
    ("es", _N, "(suscríbete|suscríbase|suscribite|suscribirse|regístrate|regístrese|apúntate"
     "|inscríbete) … (newsletter~|boletín|boletines|resumen)", "Suscribite a nuestro newsletter."),
    ("es", _N, "(recibe|recibí|reciba|recibir) (nuestro|nuestra|nuestros|nuestras) … (newsletter~"
     "|boletín|noticias|resumen)", "Recibe nuestro boletín cada mañana."),
    ("es", _F, "^(síguenos|síganos|seguinos|seguínos|sígueme) (en|a través|por)",
     "Síguenos en Instagram."),
    ("es", _S, f"^compartir (en|por|vía|via) {_NETWORKS}", "Compartir en Facebook"),
    ("es", _S, "^(comparte|compartí|comparta) (esta|este) (nota|noticia|artículo|publicación)",
     "Comparte esta noticia."),
    ("es", _A, "^(suscríbete|suscríbase|suscribite|suscríbanse)",
     "Suscríbase para acceso digital ilimitado."),
    ("es", _A, "<(solo|sólo|exclusivo|contenido exclusivo) para (suscriptores|suscriptoras|socios"
     "|miembros)", "Solo para suscriptores digitales"),
    ("es", _A, "^(hazte|hágase|hacete) (socio|socia|miembro|suscriptor|suscriptora|mecenas)",
     "Hazte socio y apoya el periodismo independiente."),
    ("es", _A, "^(haz|haga|hacé) (una|tu|su) (donación|aportación|aporte|contribución)",
     "Haz una donación hoy."),
    ("es", _A, "^(dona|doná) (ahora|hoy|aquí|ya)", "Dona ahora."),
    ("es", _A, "^(apoya|apoye|apoyá) (nuestro|nuestra|nuestros|el periodismo|al periodismo|la"
     " prensa)", "Apoya el periodismo independiente."),
    ("es", _A, "^(apóyanos|apóyenos|apoyanos)", "Apóyanos con una suscripción."),
    ("es", _A, "tu (apoyo|donación|aporte|contribución) (es clave|es fundamental|es esencial|es"
     " vital|nos|hace|permite|ayuda|importa|cuenta)", "Tu apoyo nos permite seguir informando."),
    ("es", _A, "ya eres (suscriptor|suscriptora|socio|socia|miembro)",
     "¿Ya eres suscriptor? Inicia sesión."),
)  # fmt: skip

LEXICON: tuple[Phrase, ...] = tuple(
    Phrase(lang, reason, pattern, example, _compile(pattern))
    for lang, reason, pattern, example in _TABLE
)


def _split_top(alternatives: str) -> list[str]:
    """A group's body split at its top-level "|"."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(alternatives):
        depth += (char == "(") - (char == ")")
        if char == "|" and depth == 0:
            parts.append(alternatives[start:i])
            start = i + 1
    return [*parts, alternatives[start:]]


def _group(body: str) -> str:
    """The inside of the group that body starts with."""
    depth = 0
    for end, char in enumerate(body):
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return body[1:end]
    raise ValueError(f"unbalanced lexicon pattern {body!r}")


def _first_words(pattern: str) -> set[str] | None:
    """What a match of a lexicon pattern begins with: casefolded word starts, or None
    when that cannot be told (then the pattern is always tried)."""
    body = pattern.lstrip("^<")
    if body.startswith("("):
        inner = _group(body)
        rest = body[len(inner) + 2 :]
        inner = re.sub(r"^\?[-a-z]*:", "", inner)  # (?-i:Sie), (?:…)
        optional = rest.startswith("?")
        words: set[str] = set()
        for alternative in _split_top(inner):
            found = _first_words(alternative + (rest[1:] if optional else rest))
            if found is None:
                return None
            words |= found
        if optional:
            found = _first_words(rest[1:].lstrip(" "))
            if found is None:
                return None
            words |= found
        return words
    word = re.match(r"[^\W\d_]+", body)
    if word is None:
        return None
    # A letter made optional ("e-?mail") or a word ending ("~") leaves only a start.
    return {word.group().casefold()[: -1 if body[word.end() : word.end() + 1] == "?" else None]}


# Which phrases a paragraph can match, by the words in it: a paragraph is tried only
# against the phrases whose first word it contains (the rest cannot match).
_BY_START: dict[str, list[int]] = {}
_ALWAYS: list[int] = []
for _index, _phrase in enumerate(LEXICON):
    _starts = _first_words(_phrase.pattern)
    if _starts is None:
        _ALWAYS.append(_index)
    for _start in _starts or ():
        _BY_START.setdefault(_start, []).append(_index)
_START_LENGTHS = sorted({len(start) for start in _BY_START})
_WORD = re.compile(r"[^\W\d_]+")


def _candidates(form: str) -> list[Phrase]:
    found = set(_ALWAYS)
    for word in set(_WORD.findall(form.casefold())):
        for length in _START_LENGTHS:
            if length > len(word):
                break
            found.update(_BY_START.get(word[:length], ()))
    return [LEXICON[index] for index in sorted(found)]


# Reporting, not appealing: a paragraph that attributes speech is the story quoting someone.
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|according to|asked|added|explained|wrote|announced|urged"
    r"|sagte|sagt|sagten|sagen|erklärte|erklärt|betonte|betont|teilte|hieß es|heißt es|schrieb|laut"
    r"|a dit|dit-il|dit-elle|a déclaré|déclare|a affirmé|a expliqué|explique|selon|ajoute|a ajouté"
    r"|dijo|dice|afirmó|explicó|señaló|según|aseguró|indicó|declaró|añadió)\b",
    re.IGNORECASE,
)

# The WordPress/Yoast syndication footer, in the languages of the lexicon.
_POST_FOOTER = re.compile(
    r"(?:the post|der beitrag|l'article|la entrada|el artículo|la publicación|el post) \S.{0,400}? "
    r"(?:appeared first on|erschien zuerst auf|est apparu en premier sur|apparaît en premier sur"
    r"|(?:se publicó|apareció|aparece) primero en) [^,;\n]{1,120}\Z",
    re.DOTALL | re.IGNORECASE,
)
_FOOTER_START = re.compile(
    r"(?:the post|der beitrag|l['’]article|la entrada|el artículo|la publicación|el post) ",
    re.IGNORECASE,
)

# A share bar: nothing but share words, at least one of them a verb ("teilen twittern E-Mail").
_SHARE_WORDS = frozenset({
    "share", "sharing", "teilen", "teile", "partager", "partagez", "compartir", "comparte",
    "tweet", "tweeten", "twittern", "blogthis", "pin", "it", "email", "e", "mail", "print",
    "drucken", "imprimer", "imprimir", "copy", "link", "kopieren", "url", "this", "on", "to",
    "via", "per", "auf", "sur", "en", "por", "zum", "facebook", "twitter", "x", "linkedin", "xing",
    "whatsapp", "telegram", "threads", "bluesky", "mastodon", "messenger", "flipboard",
    "pinterest", "reddit", "pocket", "tumblr", "sms", "correo", "courriel", "artikel", "article",
    "artículo", "weiterleiten"
})  # fmt: skip
_SHARE_VERBS = frozenset({
    "share", "teilen", "teile", "partager", "partagez", "compartir", "comparte", "tweet",
    "tweeten", "twittern", "blogthis"
})  # fmt: skip
_SUBSCRIBE_WORDS = frozenset({"abonnieren", "subscribe", "suscribirse", "suscríbete", "abonner"})
_NEWSLETTER_WORD = re.compile(r"newsletter(?:s|anmeldung|-anmeldung)?")


def _match_form(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _LINK_MARKER.sub(" ", text).replace("’", "'").replace("ʼ", "'")
    return " ".join(text.split())


def _short_form(form: str) -> FoldReason | None:
    """A newsletter box's title ("Cicero Newsletter"), a share bar, a subscribe button."""
    if len(form) > 200:
        return None
    words = re.findall(r"[^\W\d_]{1,40}", form.casefold())
    if not words or len(words) > 12:
        return None
    if len(words) <= 4 and _NEWSLETTER_WORD.fullmatch(words[-1]):
        return FoldReason.NEWSLETTER
    if len(words) >= 2 and set(words) <= _SHARE_WORDS and _SHARE_VERBS & set(words):
        return FoldReason.SHARE
    if len(words) <= 4 and words[-1] in _SUBSCRIBE_WORDS:  # a button: "Jetzt abonnieren"
        newsletter = any(_NEWSLETTER_WORD.fullmatch(word) for word in words)
        return FoldReason.NEWSLETTER if newsletter else FoldReason.APPEAL
    return None


def appeal_reason(text: str) -> FoldReason | None:
    """Why one paragraph is an appeal or other non-story text, by the lexicon; else None."""
    if len(text) > APPEAL_MAX_CHARS:
        return None
    form = _match_form(text)
    if not form:
        return None
    if _POST_FOOTER.match(form):
        return FoldReason.FOOTER
    if reason := _short_form(form):
        return reason
    candidates = _candidates(form)
    if not candidates:
        return None
    attributed = _ATTRIBUTION.search(form) is not None
    for phrase in candidates:
        if attributed and phrase.reason != FoldReason.FOOTER:
            continue
        if phrase.regex.search(form):
            return phrase.reason
    return None


# ---------------------------------------------------------------------------
# Glued paragraphs

# A sentence end with the next sentence glued on: "difference.It", "today!»Die", 'said."The'.
_GLUE = re.compile(r"(?<=[^\W\d_]{2})[.!?…]{1,3}[\"”’»)\]]{0,2}(?=[\"“„«‘'(¿¡]?[^\W\d_])")
_WINDOW = 40
_DOTTED = re.compile(r"\.[^\W\d_]")
# English, German, French and Spanish abbreviations that end in a full stop.
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp",
    "no", "nos", "fig", "approx", "dept", "est", "gov", "gen", "col", "lt", "sgt", "rev", "hon",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon",
    "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "ave", "rd", "mt", "ft",
    "vol", "ed", "eds", "al", "cf", "viz", "ph", "bzw", "usw", "ca", "vgl", "ggf", "evtl", "inkl",
    "zzgl", "nr", "str", "tel", "bspw", "sog", "ebd", "hrsg", "jh", "jhd", "mio", "mrd", "abs",
    "art", "dt", "gem", "max", "min", "mind", "hr", "fr", "frl", "mme", "mlle", "mm", "av", "bd",
    "env", "sra", "srta", "dra", "uds", "ud", "pág", "núm", "avda", "aprox"
})  # fmt: skip


def _is_glue(text: str, start: int, end: int) -> bool:
    if not text[start - 1].islower():
        return False
    following = text[end : end + 2].lstrip("\"“„«‘'(¿¡")
    if not following or not following[0].isupper():
        return False
    before = text[max(0, start - _WINDOW) : start].split()
    after = text[end : end + _WINDOW].split()
    word = before[-1] if before else ""
    if any(mark in word for mark in "./@:\\_=#&%~") or word.casefold() in _ABBREVIATIONS:
        return False  # a URL, an address, "z.B", "etc.", "Mr."
    # Ahead: a path, an address or a domain ("Example.org"), not a sentence.
    return not (after and (any(mark in after[0] for mark in "/@\\=#") or _DOTTED.search(after[0])))


def split_glued(text: str) -> list[str]:
    """The paragraph cut where sentences are glued together and before a trailing footer.

    `"".join(split_glued(text)) == text`; a paragraph with nothing to cut is [text].
    Abbreviations ("U.S.", "e.g.", "etc.", "Mr.Smith"), decimals, URLs and addresses are
    not cut.
    """
    cuts: list[int] = []
    for match in _GLUE.finditer(text):
        if _is_glue(text, match.start(), match.end()):
            cuts.append(match.end())
    tail = max(0, len(text) - 800)
    for match in _FOOTER_START.finditer(text, tail):
        at = match.start()
        if at in cuts:
            break  # glued on: already cut
        after_sentence = at > 0 and (text[at - 1].isspace() or text[at - 1] in '.!?…]”"»)')
        if after_sentence and _POST_FOOTER.match(_match_form(text[at:])):
            cuts.append(at)
            break
    if not cuts:
        return [text]
    bounds = [0, *sorted(set(cuts)), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if a < b]


# ---------------------------------------------------------------------------
# Folding an article


@dataclass(frozen=True, slots=True)
class Piece:
    """A block, or part of a glued one, with its verdict: None means shown."""

    block: Block
    source: int  # index in fold_blocks' input of the block it comes from
    reason: FoldReason | None = None


@dataclass(frozen=True, slots=True)
class Fold:
    """A run of folded pieces: its dim line goes before shown[position]."""

    position: int
    pieces: tuple[Piece, ...]

    @property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(piece.block for piece in self.pieces)

    @property
    def reasons(self) -> tuple[FoldReason, ...]:
        """The distinct reasons of the run, in reading order."""
        return tuple(dict.fromkeys(piece.reason for piece in self.pieces if piece.reason))


@dataclass(frozen=True, slots=True)
class FoldedArticle:
    """An article in reader mode: `items()` to draw it folded, `unfolded()` to show all."""

    pieces: tuple[Piece, ...]
    shown: tuple[Block, ...]
    folds: tuple[Fold, ...]
    summary_repeats: bool = False  # the standfirst only repeats the story's start
    held_back: str = ""  # why nothing was folded although some blocks looked like boilerplate

    def items(self) -> Iterator[Block | Fold]:
        """The folded reading order: shown blocks, and a Fold where each run was."""
        folds = iter(self.folds)
        fold = next(folds, None)
        for index, block in enumerate(self.shown):
            while fold is not None and fold.position == index:
                yield fold
                fold = next(folds, None)
            yield block
        if fold is not None:
            yield fold

    def unfolded(self) -> tuple[Block, ...]:
        """Every block in the original order (a glued paragraph as its parts)."""
        return tuple(piece.block for piece in self.pieces)


def fold_line(fold: Fold) -> str:
    """The dim line that stands for a fold: `▸ 4 paragraphs folded: appeal, newsletter`."""
    count = len(fold.pieces)
    noun = "paragraph" if count == 1 else "paragraphs"
    return f"▸ {count} {noun} folded: {', '.join(fold.reasons)}"


_JUDGED_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.QUOTE, BlockKind.LIST_ITEM})
_STORY_KINDS = frozenset(
    {BlockKind.PARAGRAPH, BlockKind.QUOTE, BlockKind.LIST_ITEM, BlockKind.CODE, BlockKind.TABLE}
)
_EXCERPT_END = re.compile(
    r"(?:\s{0,3}(?:\[(?:…|\.\.\.|&hellip;)\]|…|\.\.\.|\(more…\)|read more|continue reading"
    r"|weiterlesen|mehr lesen|lire la suite|leer más|seguir leyendo)[\s.:»›→]{0,3}){1,3}\Z",
    re.IGNORECASE,
)
REPEAT_MIN_WORDS = 6
REPEAT_MAX_CHARS = 5_000  # an excerpt is a paragraph or two, not a whole story
_HELD_BACK = "nothing folded: every paragraph looked like boilerplate"


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", _LINK_MARKER.sub(" ", _fold_case(text))))


def _excerpt_words(text: str) -> str:
    head, tail = text[:-80], text[-80:]
    return _words(head + _EXCERPT_END.sub("", tail))


_Predicate = Callable[[str], bool] | None


def _as_predicate(template: Callable[[str], bool] | Collection[str]) -> _Predicate:
    if callable(template):
        return template
    return template.__contains__ if template else None


def _template(text: str, is_template: _Predicate) -> bool:
    if is_template is None:
        return False
    key = paragraph_key(text)
    return key is not None and is_template(key)


def _verdict(text: str, is_template: _Predicate) -> FoldReason | None:
    if reason := appeal_reason(text):
        return reason
    return FoldReason.TEMPLATE if _template(text, is_template) else None


def _judge(index: int, block: Block, is_template: _Predicate) -> Iterator[Piece]:
    """The block's pieces: itself, or the parts of a glued paragraph where a verdict changes."""
    if block.kind == BlockKind.IMAGE:
        reason = FoldReason.TEMPLATE if _template(block.text, is_template) else None
        yield Piece(block, index, reason)
        return
    if block.kind not in _JUDGED_KINDS:
        yield Piece(block, index)
        return
    parts = split_glued(block.text)
    if len(parts) == 1 or _template(block.text, is_template):
        yield Piece(block, index, _verdict(block.text, is_template))
        return
    runs: list[tuple[str, FoldReason | None]] = []
    for part in parts:
        verdict = _verdict(part, is_template)
        if runs and runs[-1][1] == verdict:
            runs[-1] = (runs[-1][0] + part, verdict)
        else:
            runs.append((part, verdict))
    for number, (part, verdict) in enumerate(runs):
        if number == 0:
            piece = Block(block.kind, part, block.level, block.marker)
        elif block.kind == BlockKind.LIST_ITEM:  # the item goes on as a paragraph in it
            piece = Block(BlockKind.PARAGRAPH, part, block.level)
        else:
            piece = Block(block.kind, part, block.level)
        yield Piece(piece if len(runs) > 1 else block, index, verdict)


def _story_start(pieces: Sequence[Piece], skip: int, length: int) -> str:
    """The words of the first shown paragraphs (but pieces[skip]), about `length` long."""
    words: list[str] = []
    total = -1
    for i, piece in enumerate(pieces):
        if i == skip or piece.reason is not None or piece.block.kind != BlockKind.PARAGRAPH:
            continue
        words.append(_words(piece.block.text[: 2 * length + 200]))
        total += len(words[-1]) + 1
        if total >= length:
            break
    return " ".join(words)


def _mark_repeats(pieces: list[Piece]) -> None:
    """Fold a paragraph that only repeats the beginning of the story's first other ones."""
    paragraphs = [
        i for i, piece in enumerate(pieces)
        if piece.block.kind == BlockKind.PARAGRAPH and piece.reason is None
    ]  # fmt: skip
    for i in dict.fromkeys(paragraphs[:3] + paragraphs[-3:]):
        if len(pieces[i].block.text) > REPEAT_MAX_CHARS:
            continue
        candidate = _excerpt_words(pieces[i].block.text)
        if candidate.count(" ") + 1 < REPEAT_MIN_WORDS:
            continue
        start = _story_start(pieces, i, len(candidate))
        if start.startswith(candidate) and (start != candidate or len(paragraphs) > 1):
            pieces[i] = Piece(pieces[i].block, pieces[i].source, FoldReason.REPEATS_START)


def _mark_headings(pieces: list[Piece]) -> None:
    """A heading folds when its own text is an appeal, or with its section when nothing
    of the section is shown ("Related", "About the author" over template text).

    Its section: what follows it up to the next heading of its level or above. One pass
    from the end; shown_below[level] says whether anything is shown between here and
    the end of the section of a heading of that level standing here.
    """
    shown_below = [False] * 8
    for i in range(len(pieces) - 1, -1, -1):
        piece = pieces[i]
        if piece.block.kind != BlockKind.HEADING:
            if piece.reason is None:
                shown_below = [True] * 8
            continue
        level = min(max(piece.block.level, 1), 6)
        following = pieces[i + 1] if i + 1 < len(pieces) else None
        empty = following is None or (
            following.block.kind == BlockKind.HEADING and following.block.level <= level
        )
        reason = appeal_reason(piece.block.text)
        if reason is None and not shown_below[level] and not empty and following is not None:
            reason = following.reason
        if reason is not None:
            piece = pieces[i] = Piece(piece.block, piece.source, reason)
        for deeper in range(level, 8):
            shown_below[deeper] = False  # their sections end at this heading
        if piece.reason is None:
            for outer in range(1, level):
                shown_below[outer] = True


def _mark_rules(pieces: list[Piece]) -> None:
    """A rule between two folded pieces goes with them (one dim line, not two)."""
    after: list[FoldReason | None] = [None] * len(pieces)
    reason: FoldReason | None = None
    for i in range(len(pieces) - 1, -1, -1):
        after[i] = reason
        if pieces[i].block.kind != BlockKind.RULE:
            reason = pieces[i].reason
    before: FoldReason | None = None
    for i, piece in enumerate(pieces):
        if piece.block.kind != BlockKind.RULE:
            before = piece.reason
        elif piece.reason is None and before and after[i]:
            pieces[i] = Piece(piece.block, piece.source, before)


def _assemble(pieces: list[Piece], summary_repeats: bool, held_back: str) -> FoldedArticle:
    shown: list[Block] = []
    folds: list[Fold] = []
    run: list[Piece] = []
    for piece in pieces:
        if piece.reason is None:
            if run:
                folds.append(Fold(len(shown), tuple(run)))
                run = []
            shown.append(piece.block)
        else:
            run.append(piece)
    if run:
        folds.append(Fold(len(shown), tuple(run)))
    return FoldedArticle(tuple(pieces), tuple(shown), tuple(folds), summary_repeats, held_back)


def fold_blocks(
    blocks: Sequence[Block],
    *,
    template: Callable[[str], bool] | Collection[str] = frozenset(),
    summary: str = "",
) -> FoldedArticle:
    """Decide for every block whether the reader shows it or folds it, and why.

    template: the feed's template keys (from template_keys), or a predicate on a key.
    summary: the article's standfirst; `summary_repeats` tells whether it only repeats
    the story's start.
    """
    is_template = _as_predicate(template)
    pieces = [piece for i, block in enumerate(blocks) for piece in _judge(i, block, is_template)]
    _mark_repeats(pieces)
    _mark_rules(pieces)
    _mark_headings(pieces)
    _mark_rules(pieces)  # again: around the headings that folded
    held_back = ""
    if any(p.reason for p in pieces) and not any(
        p.reason is None and p.block.kind in _STORY_KINDS for p in pieces
    ):
        pieces = [Piece(block, index) for index, block in enumerate(blocks)]
        held_back = _HELD_BACK
    summary_repeats = False
    if summary and len(summary) <= REPEAT_MAX_CHARS:
        candidate = _excerpt_words(summary)
        long_enough = candidate.count(" ") + 1 >= REPEAT_MIN_WORDS
        summary_repeats = long_enough and _story_start(pieces, -1, len(candidate)).startswith(
            candidate
        )
    return _assemble(pieces, summary_repeats, held_back)

#!/usr/bin/env python3
"""Writes src/lang/en/tokenizer.json, the English rules of weft.Tokenizer.v1.

The rules follow UD English EWT's tokenization (the conventions were learned from
data/en_ewt/train.conllu; dev is only the report set). The runtime reads the JSON, never this
script; rerun it after editing:  python3 src/lang/en/make_tokenizer.py

Patterns are RE2 syntax. RE2 has no lookaround, so a pattern may hold one capturing group: the
group is the affix and the rest of the match is context (see include/weft/tokenize/tokenizer_rules.hpp).
"mwt": true marks affixes that form a UD multi-word token with their neighbour ("Bush" + "'s").
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- character classes -----------------------------------------------------------------------
L = r"\p{L}\p{M}"                 # letters (with combining marks)
N = r"\p{N}"
ALNUM = L + N
APOS = "'’`"                      # apostrophes EWT writes in contractions and possessives
OPEN_QUOTES = ['"', "''", "``", "`", "“", "‘’", "„", "«", "‹"]
CLOSE_QUOTES = ['"', "''", "”", "’’", "»", "›"]
CURRENCY = r"\p{Sc}"

def esc(s):
    out = ""
    for ch in s:
        out += "\\" + ch if ch in r"\.^$|?*+()[]{}" else ch
    return out

def alt(items):
    return "(?:" + "|".join(esc(i) for i in sorted(items, key=len, reverse=True)) + ")"

# Units EWT splits from a preceding number ("5pm", "10k", "2.7m", "$3M").
UNITS = ["k", "K", "m", "M", "MM", "mm", "cm", "km", "b", "B", "bn", "kg", "g", "lb", "lbs", "ft", "x", "hh", "t",
         "Hz", "pm", "PM", "am", "AM", "p", "f", "F", "C", "kb", "KB", "mb", "MB", "gb", "GB", "sq", "min", "mins",
         "minutes", "hr", "hrs", "yrs", "days", "percent", "watt"]

# ---- prefixes ----------------------------------------------------------------------------------
prefixes = [
    r"\.\.+", "…",                       # a leading ellipsis: "...but"
    r"-+",                                # "-Russia", "--Sally", "-5"
    alt(OPEN_QUOTES),
    # A single quote opens a quotation, except before two digits ('72) where it abbreviates a year, in
    # "'s" alone, and while the chunk has another apostrophe: "'Christians'" is first split at its end
    # (below), so that "s'" there is a closing quote rather than a possessive.
    # (Contexts are bounded, {0,62}, so that no rule scans far into a long chunk.)
    r"(')(?:(?:[^0-9sS" + APOS + r"]|[sS][^']|[0-9][^0-9'])(?:[^']{0,61}$|[^']{62})|[0-9]?$)",
    r"(’)(?:[^0-9]|$)",
    r"(‘)(?:[^’]{0,63}$|[^’]{64})",       # as "'" above: "‘quoted’" is first split at its end
    r"<<", r"[(\[{<]",
    CURRENCY + "+",                       # "$5", "£10", "$$$"
    r"#",                                 # "#538" (hashtags are kept whole by token_match)
    r"(@)[0-9]",                          # "@2.975" (mentions are kept whole by token_match)
    r">+",
    # A name glued to an e-mail address, as mail headers write it: Reynolds"<rr...@cogeco.ca>
    r"([" + ALNUM + r"]{1,64})\"<",
    r"\*+", r"=+", r"\++", r"~+", r"\|+", r"\^+", r"_+", r"[,&/]", r"[¿¡]",
]

# ---- suffixes ----------------------------------------------------------------------------------
suffixes = [
    {"pattern": r"[nN][" + APOS + r"][tT]", "mwt": True},                     # did|n't
    {"pattern": r"[^0-9" + APOS + r"]([" + APOS + r"](?:[sS]|[mM]|[dD]|[rR][eE]|[vV][eE]|[lL][lL]))",
     "mwt": True},                                                             # Bush|'s, I|'m, you|'re
    r"^'[^']{0,64}(')", r"^‘[^’]{0,64}(’)",                                   # 'quoted'
    {"pattern": r"[sS]([" + APOS + r"])", "mwt": True},                       # parents|'
    # An ellipsis after a word; after a single letter the first period is the letter's ("U.S..").
    r"(?:[" + ALNUM + r"][" + ALNUM + r"]|[^" + L + r".]|^)(\.\.+)", "…",
    # "!!!", "?!", ".?" are single tokens, but the period of "T.V.?" stays with the abbreviation.
    r"(?:[" + ALNUM + r"][" + ALNUM + r"]|[^" + L + r".!?]|^)(\.?[!?][!?.]*)", r"[!?][!?.]*",
    # A period after a word of two or more letters, a digit or punctuation; a single letter keeps it
    # ("M.", "p.m.", "U.S."); abbreviations with longer words are special cases.
    r"(?:[" + ALNUM + r"][" + ALNUM + r"]|[" + N + r"]|[^" + L + r"]|[" + APOS + r"][" + L + r"])(\.)",
    r"[,;:]",
    alt(CLOSE_QUOTES), r"'", r"’",
    r">>", r"[)\]}>]",
    r"%",
    # Units after a number ("5pm", "10k", "2.7m"); ordinals and decades ("3rd", "1980s") stay whole
    # through token_match.
    r"[0-9](" + alt(UNITS) + r")",
    r"-+", r"/", r"\*+", r"=+", r"\++", r"~+", r"\|+", r"_+", r"&",
]

# ---- infixes -----------------------------------------------------------------------------------
infixes = [
    r"\.\.+", "…",                                        # "today...but"
    r"--+",                                               # "folks--there"
    r"[" + ALNUM + r"](-)[" + ALNUM + r"]",                 # "Al-Zaman", "1969-1970", "F-16"
    r"[" + ALNUM + r"](/)[" + ALNUM + r"]",                 # "and/or"
    r"[" + L + r"](,)[" + ALNUM + r"]",                     # "Astr,and"
    r"[" + N + r"](,)[" + L + r"]",
    r"[" + ALNUM + r"](;)[" + ALNUM + r"]",
    r"([()\[\]{}])",                                       # "account(s)", "pdf)(See"
    r"[" + N + r"](')[" + N + r"]",                        # 5'2
    r"[" + L + r"](#)[" + ALNUM + r"]",                     # job#123
    r"[" + L + r"](&)[" + L + r"]",                         # A&C
    r"[" + ALNUM + r"](\+)[" + ALNUM + r"]",
    r"[" + ALNUM + r"](=)[" + ALNUM + r"]",
]

# ---- kept whole ------------------------------------------------------------------------------
HYPHEN_PREFIXES = ["e", "non", "pre", "anti", "mid", "re", "post", "co", "over", "pro", "multi", "ex",
                   "semi", "cross", "neo", "psycho", "socio", "arch", "counter", "intra", "un", "sub",
                   # bound prefixes not seen in train, kept whole by the same UD guideline
                   "mis", "bi", "tri", "de", "dis", "ultra", "hyper", "trans", "quasi", "pseudo",
                   "infra", "supra"]
EMOTICONS = ["(:", "(;", ":)", ":-)", ":(", ":-(", ";)", ";-)", ":D", ":-D", ":P", ":-P", ":p", ":-p", ":o", ":O",
             ":/", ":-/", ":|", ":'(", "=)", "=(", "<3", "</3", "^_^", "^^", "XD", "xD", ":]", ":[",
             ";]", ":*", "8)", "B)", ":S", ":$", "-_-", "o_O", "O_o", "T_T", ":))", ":((", ":-))"]
token_match = "|".join([
    alt(EMOTICONS),
    r"#[" + L + r"_][" + ALNUM + r"_]*",                   # #hashtag
    r"@[" + ALNUM + r"_][" + ALNUM + r"_.]*[" + ALNUM + r"_]|@[" + ALNUM + r"_]",  # @mention
    r"(?i:" + alt(HYPHEN_PREFIXES) + r")-[" + ALNUM + r"]+(?:-[" + L + r"]+)*",  # e-mail, mid-1980s
    r"[0-9]+(?:-[0-9]+){2,}",                               # phone numbers, dates
    r"[0-9]{1,4}/[0-9]{1,2}/[0-9]{1,4}",                    # dates
    r"[0-9]+(?:[.,:][0-9]+)+",                              # 10,000  3.5  10:30  1.2.3
    r"[0-9]+(?i:st|nd|rd|th|d)",                            # ordinals
    r"[-=_~+*<>|#^]+[-=_~+*][-=_~+*<>|#^]*|[-=_~+*][-=_~+*<>|#^]+",  # rules and arrows: ----== <- +++
    r"[0-9]+[" + APOS + r"]?[sS]",                          # decades: 1980s, 1960's
    r"\p{Lu}+&\p{Lu}+",                                     # AT&T, P&L
    r"\p{L}/\p{L}",                                         # w/o, l/c
    r"[0-9]{3}-[0-9]{4}|[0-9]{5}-[0-9]{4}|[0-9]-[0-9]{4}",  # phone numbers, ZIP+4
    r"(?:1[0-2]|0?[1-9])/(?:[0-2][0-9]|3[01])|1[0-2]/[1-9]", # dates: 9/11, 12/28 (not fractions 1/2)
    r"\+[0-9]+",                                            # +44
    # file names: ld2d-#69366-1.DOC, 02-05-02.doc
    r"[\p{L}\p{N}_#~-]+(?:\.[\p{L}\p{N}_-]+)*\.(?i:docx?|xlsx?|pptx?|pdf|txt|rtf|zip|jpe?g|gif|png|html?|exe|wav|mp3|csv|xml)",
    # URLs without trailing punctuation (which suffixes strip first); a final "/" belongs to the URL
    r"(?i:https?://|ftp://|www\.)[^\s<>\"]*[^\s<>\".,;:!?'()\[\]{}]",
    r"(?:[" + L + r"]\.){2,}",                              # U.S.  e.g.  p.m.
])
url_match = "|".join([
    r"(?i:https?://|ftp://|www\.)[^\s<>\"]+",
    # a domain with a known top-level domain, a port and a path
    r"(?i:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\."
    r"(?:com|org|net|edu|gov|mil|int|info|biz|co|uk|us|ca|de|fr|io|ly|tv|me|au|in))(?::[0-9]+)?(?:/[^\s<>\"]*)?",
    # e-mail (also "bmc...@patriot.net"), with its "mailto:" scheme as EWT keeps it
    r"(?:(?i:mailto):)?[\p{L}\p{N}_.+-]+@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+",
])

# ---- special cases ---------------------------------------------------------------------------
def variants(text):
    """The casings a special case is written in: as given, Capitalised, UPPER."""
    return {text, text[:1].upper() + text[1:], text.upper()}

def mwt(*pieces):
    return [{"orth": p, "mwt": True} for p in pieces[:-1]] + [pieces[-1]]

special_cases = {}

def add_split(text, pieces, is_mwt=True):
    """Adds `text` -> pieces in every casing (each piece cased like the text)."""
    for v in sorted(variants(text)):
        out, i = [], 0
        for p in pieces:
            out.append(v[i:i + len(p)])
            i += len(p)
        special_cases[v] = mwt(*out) if is_mwt and len(out) > 1 else out

# Contractions written without an apostrophe, split as EWT splits them.
for text, pieces in [
    ("cannot", ["can", "not"]), ("gonna", ["gon", "na"]), ("wanna", ["wan", "na"]), ("gotta", ["got", "ta"]),
    ("outta", ["out", "ta"]), ("sorta", ["sort", "a"]), ("dunno", ["du", "n", "no"]),
    ("dont", ["do", "nt"]), ("didnt", ["did", "nt"]), ("doesnt", ["does", "nt"]), ("cant", ["ca", "nt"]),
    ("wont", ["wo", "nt"]), ("couldnt", ["could", "nt"]), ("wouldnt", ["would", "nt"]),
    ("shouldnt", ["should", "nt"]), ("isnt", ["is", "nt"]), ("wasnt", ["was", "nt"]), ("arent", ["are", "nt"]),
    ("werent", ["were", "nt"]), ("havent", ["have", "nt"]), ("hasnt", ["has", "nt"]), ("hadnt", ["had", "nt"]),
    ("aint", ["ai", "nt"]), ("arnt", ["ar", "nt"]),
    ("im", ["i", "m"]), ("ive", ["i", "ve"]), ("youre", ["you", "re"]), ("theyre", ["they", "re"]),
    ("youve", ["you", "ve"]), ("theyve", ["they", "ve"]), ("youll", ["you", "ll"]), ("itll", ["it", "ll"]),
    ("thats", ["that", "s"]), ("whats", ["what", "s"]), ("theres", ["there", "s"]), ("heres", ["here", "s"]),
    ("lets", ["let", "s"]), ("hes", ["he", "s"]), ("elses", ["else", "s"]),
]:
    add_split(text, pieces)
special_cases["I'ma"] = [{"orth": "I", "mwt": True}, "'m", "a"]
# Words written with an apostrophe for a dropped sound are one token in EWT ("'em", "lovin'", "cookin'"),
# not a quote beside a word; the apostrophe rules above would split them.
ELIDED = ["'em", "'cause", "'cuz", "'coz", "'til", "'till", "'bout", "'round", "'n'", "'kay", "ol'", "o'",
          "nothin'", "somethin'", "anythin'", "everythin'", "mornin'", "evenin'", "darlin'"]
G_DROPPED = ["lovin", "cookin", "goin", "doin", "comin", "talkin", "lookin", "gettin", "makin", "takin", "runnin",
             "sayin", "thinkin", "workin", "tryin", "playin", "rockin", "rollin", "livin", "feelin", "kiddin",
             "jokin", "walkin", "waitin", "trippin", "chillin", "hangin", "fishin", "huntin", "singin", "dancin",
             "drinkin", "smokin", "movin", "buyin", "sellin", "payin", "drivin", "flyin", "eatin", "sleepin",
             "cryin", "lyin", "dyin", "messin", "missin", "killin", "fixin", "freakin", "friggin", "effin",
             "stinkin", "bloomin", "blazin", "cruisin", "shakin", "tellin", "askin", "helpin", "keepin", "leavin",
             "losin", "winnin", "watchin", "listenin", "readin", "writin", "wishin", "hopin", "ridin", "sittin",
             "standin", "startin", "stoppin", "turnin", "wonderin", "knowin", "seein", "bein", "havin", "givin",
             "puttin", "usin", "callin", "followin", "happenin", "travelin", "shoppin", "bakin", "grillin",
             "pickin", "lickin", "finger-lickin", "huggin", "kissin", "partyin", "swingin", "jumpin", "pumpin"]
for w in ELIDED + [g + a for g in G_DROPPED for a in ("'", "’")]:
    for v in variants(w.replace("'", "’")) | variants(w):
        special_cases.setdefault(v, [v])
special_cases["Yahoo!"] = ["Yahoo!"]
special_cases["I."] = ["I", "."]   # the pronoun ending a sentence, not an initial

# Abbreviations that keep their period (EWT writes them as one token).
ABBREVIATIONS = [
    "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Sr.", "Gen.", "Lt.", "Col.", "Sgt.", "Capt.", "Rev.", "Gov.",
    "Sen.", "Rep.", "Reps.", "Pres.", "Prof.", "Hon.", "Ft.", "Mt.", "Blvd.", "Ave.", "Rd.",
    "Inc.", "Co.", "Corp.", "Ltd.", "Bros.", "vs.", "etc.", "eg.", "cf.", "approx.", "ext.", "dept.",
    "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.",
    "Mon.", "Tue.", "Tues.", "Wed.", "Thu.", "Thur.", "Thurs.", "Fri.", "Sat.", "Sun.",
    "No.", "Nos.", "Vol.", "Sec.", "Para.", "Attn.", "Arrv.", "arrv.", "lv.", "Fax.", "Mob.", "Conf.",
    "lb.", "lbs.", "oz.", "yrs.", "mins.", "esp.", "Spec.", "Que.", "Va.", "La.", "Calif.", "Mass.", "Conn.",
    "Ariz.", "Fla.", "Ill.", "Penn.", "Tex.", "Wash.", "Mich.", "Minn.", "Ore.", "Ph.", "al.", "et.",
]
ABBREVIATIONS += ["PS.", "P.S.", "Pvt.", "PVT.", "INC.", "LTD.", "CO.", "CORP.", "Drs.", "Sts.", "Messrs."]
for a in ABBREVIATIONS:
    special_cases.setdefault(a, [a])
    # An abbreviation ending a sentence keeps its own period: "Inc.." -> "Inc." "."
    special_cases.setdefault(a + ".", [a, "."])

config = {
    "@tokenizers": "weft.Tokenizer.v1",
    "_doc": "English rules (UD English EWT conventions). Generated by src/lang/en/make_tokenizer.py; edit that.",
    "prefixes": prefixes,
    "suffixes": suffixes,
    "infixes": infixes,
    "token_match": token_match,
    "url_match": url_match,
    "plain_chars": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "special_cases": special_cases,
}

with open(os.path.join(HERE, "tokenizer.json"), "w", encoding="utf-8") as f:
    json.dump(config, f, ensure_ascii=False, indent=1)
    f.write("\n")

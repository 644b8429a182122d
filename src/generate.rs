//! Deterministic synthetic graphs shaped like the real data, for benchmarks and
//! load tests: `ties gen --entities N`.
//!
//! Names come from Lithuanian, Ukrainian, Nordic, Polish, German and English pools,
//! with the aliases people actually meet: the name without diacritics, an initial,
//! another transliteration, the Cyrillic spelling. About 40% of names and aliases
//! hold non-ASCII characters. A few hubs (ministries, NATO, the EU, the two
//! countries) collect tens of thousands of relations on a million-entity graph;
//! dates spread over 2014–2025 with year, month or day precision; amounts come in
//! several currencies; every relation cites one to three sources.
//!
//! Every record is a pure function of the seed and its position, computed with a
//! self-contained SplitMix64, so the same options give the same bytes on every
//! platform, and records can be streamed without holding the graph in memory.

use std::io::{self, Write};
use std::path::Path;

use crate::export::WriteError;
use crate::model::{
    AmountRecord, EntityKind, EntityRecord, GraphFile, RelationKind, RelationRecord, SourceRecord,
};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    /// Number of entities.
    pub entities: usize,
    /// Average relations per entity (relations = entities × this).
    pub relations_per_entity: usize,
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            entities: 1000,
            relations_per_entity: 2,
            seed: 1,
        }
    }
}

/// SplitMix64: tiny, fast, and the same everywhere.
#[derive(Debug, Clone)]
struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// The generator for item `i` of `stream`.
    fn at(seed: u64, stream: u64, i: u64) -> Rng {
        Rng(mix(
            seed ^ mix(stream.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ mix(i))
        ))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const STREAM_SOURCE: u64 = 1;
const STREAM_ENTITY: u64 = 2;
const STREAM_RELATION: u64 = 3;

/// A name with its other spellings: (Latin, Cyrillic or "", alternative
/// transliterations).
type Spelled = (&'static str, &'static str, &'static [&'static str]);

const LT_MALE: &[&str] = &[
    "Laurynas",
    "Gitanas",
    "Robertas",
    "Žygimantas",
    "Vytautas",
    "Kęstutis",
    "Šarūnas",
    "Mantas",
    "Jonas",
    "Gintautas",
    "Arvydas",
    "Linas",
    "Tomas",
    "Dainius",
    "Raimundas",
    "Andrius",
    "Algirdas",
    "Mindaugas",
    "Saulius",
    "Arūnas",
];
const LT_MALE_SURNAMES: &[&str] = &[
    "Kasčiūnas",
    "Nausėda",
    "Landsbergis",
    "Kaunas",
    "Petrauskas",
    "Jankauskas",
    "Stankevičius",
    "Vasiliauskas",
    "Žukauskas",
    "Butkus",
    "Paulauskas",
    "Urbonas",
    "Kairys",
    "Skvernelis",
    "Anušauskas",
    "Budrys",
    "Žemaitaitis",
    "Kazlauskas",
    "Grybauskas",
    "Mažeika",
    "Šimkus",
    "Čepulis",
    "Jonaitis",
    "Kavaliauskas",
    "Kasparavičius",
];
const LT_FEMALE: &[&str] = &[
    "Dovilė",
    "Ingrida",
    "Aušra",
    "Rūta",
    "Eglė",
    "Agnė",
    "Vaida",
    "Gintarė",
    "Viktorija",
    "Aurelija",
    "Jūratė",
    "Dalia",
    "Neringa",
    "Inga",
    "Živilė",
];
const LT_FEMALE_SURNAMES: &[&str] = &[
    "Šakalienė",
    "Šimonytė",
    "Čmilytė-Nielsen",
    "Bilotaitė",
    "Grybauskaitė",
    "Petrauskienė",
    "Jankauskienė",
    "Kazlauskienė",
    "Žukauskienė",
    "Butkienė",
    "Vaitkutė",
    "Urbonaitė",
    "Navickienė",
    "Armonaitė",
    "Kasčiūnienė",
];
const UA_FIRST: &[Spelled] = &[
    ("Oleksandr", "Олександр", &["Aleksandr", "Olexander"]),
    ("Rustem", "Рустем", &["Rustam"]),
    ("Kyrylo", "Кирило", &["Kirill", "Kyrilo"]),
    ("Volodymyr", "Володимир", &["Vladimir", "Volodimir"]),
    ("Herman", "Герман", &["German"]),
    ("Denys", "Денис", &["Denis"]),
    ("Andrii", "Андрій", &["Andriy", "Andrey"]),
    ("Mykhailo", "Михайло", &["Mykhaylo", "Mikhail"]),
    ("Serhii", "Сергій", &["Serhiy", "Sergey"]),
    ("Dmytro", "Дмитро", &["Dmitry", "Dmitro"]),
    ("Yurii", "Юрій", &["Yuriy", "Yuri"]),
    ("Vasyl", "Василь", &["Vasily"]),
    ("Taras", "Тарас", &[]),
    ("Bohdan", "Богдан", &["Bogdan"]),
    ("Ihor", "Ігор", &["Igor"]),
    ("Oleh", "Олег", &["Oleg"]),
    ("Yuliia", "Юлія", &["Yulia", "Julia"]),
    ("Olena", "Олена", &["Elena"]),
    ("Iryna", "Ірина", &["Irina"]),
    ("Nataliia", "Наталія", &["Natalia"]),
    ("Oksana", "Оксана", &[]),
    ("Tetiana", "Тетяна", &["Tatiana", "Tetyana"]),
];
const UA_SURNAMES: &[Spelled] = &[
    ("Umerov", "Умєров", &["Umyerov", "Umierov"]),
    ("Kamyshin", "Камишін", &["Kamishin"]),
    ("Budanov", "Буданов", &[]),
    ("Zelenskyy", "Зеленський", &["Zelensky", "Zelenskyi"]),
    ("Smetanin", "Сметанін", &[]),
    ("Shmyhal", "Шмигаль", &["Shmygal"]),
    ("Kuleba", "Кулеба", &[]),
    ("Sybiha", "Сибіга", &["Sybiga"]),
    ("Fedorov", "Федоров", &[]),
    ("Reznikov", "Резніков", &[]),
    ("Zaluzhnyi", "Залужний", &["Zaluzhny"]),
    ("Syrskyi", "Сирський", &["Syrsky"]),
    ("Yermak", "Єрмак", &["Ermak"]),
    ("Svyrydenko", "Свириденко", &["Sviridenko"]),
    ("Kovalenko", "Коваленко", &["Kowalenko"]),
    ("Bondarenko", "Бондаренко", &[]),
    ("Tkachenko", "Ткаченко", &[]),
    ("Shevchenko", "Шевченко", &["Schewtschenko"]),
    ("Kravchenko", "Кравченко", &[]),
    ("Melnyk", "Мельник", &["Melnik"]),
    ("Boiko", "Бойко", &["Boyko"]),
    ("Petrenko", "Петренко", &[]),
    ("Hnatov", "Гнатов", &["Gnatov"]),
    ("Pavliuk", "Павлюк", &["Pavlyuk"]),
    ("Lysenko", "Лисенко", &["Lisenko"]),
];
const NORDIC_FIRST: &[&str] = &[
    "Pål", "Søren", "Åsa", "Björn", "Jørgen", "Håkon", "Ørjan", "Märta", "Göran", "Lars", "Anders",
    "Ingrid", "Karin", "Magnus", "Mette", "Trine", "Erik", "Kristina",
];
const NORDIC_SURNAMES: &[&str] = &[
    "Jonson",
    "Ødegaard",
    "Ståhl",
    "Löfgren",
    "Sørensen",
    "Lindqvist",
    "Bjørnstad",
    "Åberg",
    "Nyström",
    "Frederiksen",
    "Kristersson",
    "Hultqvist",
    "Bøe",
    "Søreide",
    "Gråberg",
    "Sjöberg",
    "Hägglund",
    "Lund",
    "Dahl",
    "Häkkänen",
];
const PL_FIRST: &[&str] = &[
    "Łukasz",
    "Wojciech",
    "Władysław",
    "Paweł",
    "Małgorzata",
    "Agnieszka",
    "Krzysztof",
    "Tomasz",
    "Radosław",
    "Jarosław",
];
const PL_SURNAMES: &[&str] = &[
    "Błaszczak",
    "Kosiniak-Kamysz",
    "Sikorski",
    "Wiśniewski",
    "Żurek",
    "Kowalczyk",
    "Wójcik",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
];
const DE_FIRST: &[&str] = &[
    "Jürgen",
    "Günter",
    "Boris",
    "Annalena",
    "Olaf",
    "Friedrich",
    "Ursula",
];
const DE_SURNAMES: &[&str] = &[
    "Strauß",
    "Weiß",
    "Groß",
    "Müller",
    "Schäfer",
    "Pistorius",
    "Baerbock",
    "Köhler",
    "Meißner",
];
const EN_FIRST: &[&str] = &[
    "John", "Sarah", "Michael", "Emma", "Lloyd", "Antony", "Mark", "Grant",
];
const EN_SURNAMES: &[&str] = &[
    "Smith", "Austin", "Rutte", "Blinken", "Johnson", "Taylor", "Brown", "Wallace", "Healey",
    "Shapps",
];

/// (English name, adjective, native name of its defence ministry or "").
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("Lithuania", "Lithuanian", "Krašto apsaugos ministerija"),
    ("Ukraine", "Ukrainian", "Міністерство оборони України"),
    ("Latvia", "Latvian", "Aizsardzības ministrija"),
    ("Estonia", "Estonian", "Kaitseministeerium"),
    ("Poland", "Polish", "Ministerstwo Obrony Narodowej"),
    ("Sweden", "Swedish", "Försvarsdepartementet"),
    ("Norway", "Norwegian", "Forsvarsdepartementet"),
    ("Denmark", "Danish", "Forsvarsministeriet"),
    ("Finland", "Finnish", "Puolustusministeriö"),
    ("Germany", "German", "Bundesministerium der Verteidigung"),
    ("Czech Republic", "Czech", "Ministerstvo obrany"),
    ("Iceland", "Icelandic", "Utanríkisráðuneytið"),
    ("United Kingdom", "British", ""),
    ("United States", "American", ""),
];
const PORTFOLIOS: &[&str] = &[
    "Defence",
    "National Defence",
    "Foreign Affairs",
    "Economy and Innovation",
    "Strategic Industries",
    "Finance",
    "Interior",
    "Digital Transformation",
    "Energy",
    "Health",
    "Veterans Affairs",
];
const DIVISIONS: &[&str] = &[
    "Procurement",
    "Logistics",
    "Defence Policy",
    "International Cooperation",
    "Legal",
    "Internal Audit",
    "Innovation",
    "Mobilisation",
    "Cyber Security",
];
const ORG_NOUNS: &[&str] = &[
    "Defence Industry Association",
    "Armed Forces",
    "Volunteer Corps",
    "Border Guard Service",
    "Cyber Security Centre",
    "Demining Centre",
    "Procurement Agency",
    "Veterans' Union",
    "Territorial Defence Forces",
    "Riflemen's Union",
    "Red Cross",
    "Drone School",
];
const NATIVE_ORGS: &[&str] = &[
    "Lietuvos šaulių sąjunga",
    "Krašto apsaugos savanorių pajėgos",
    "Lietuvos kariuomenė",
    "Державна прикордонна служба України",
    "Сили територіальної оборони",
    "Försvarets materielverk",
    "Forsvarets forskningsinstitutt",
    "Agencja Uzbrojenia",
    "Mėlyna/Geltona",
    "Повернись живим",
];
const COMPANY_ROOTS: &[&str] = &[
    "Šiaulių",
    "Kauno",
    "Baltijos",
    "Vilniaus",
    "Klaipėdos",
    "Ukroboron",
    "Antonov",
    "Motor Sich",
    "Saab",
    "Kongsberg",
    "Nammo",
    "Patria",
    "Rheinmetall",
    "Skyeton",
    "Fire Point",
    "Brave1",
    "Granta",
    "Ødegård",
    "Åkers",
    "Łódź",
    "Dnipro",
    "Kharkiv",
    "Norrland",
    "Teltonika",
];
const INDUSTRIES: &[&str] = &[
    "Dronai",
    "Drones",
    "Defence",
    "Systems",
    "Optics",
    "Robotics",
    "Technologies",
    "Munitions",
    "Electronics",
    "Aerospace",
    "Gynyba",
    "Plienas",
];
const LEGAL_FORMS: &[&str] = &[
    "UAB",
    "AB",
    "TOV",
    "LLC",
    "AS",
    "A/S",
    "Oy",
    "sp. z o.o.",
    "GmbH",
    "ТОВ",
];
const CITIES: &[&str] = &[
    "Vilnius",
    "Kaunas",
    "Klaipėda",
    "Šiauliai",
    "Panevėžys",
    "Alytus",
    "Marijampolė",
    "Kyiv",
    "Lviv",
    "Dnipro",
    "Zhytomyr",
    "Kharkiv",
    "Odesa",
    "Zaporizhzhia",
    "Mykolaiv",
    "Chernihiv",
    "Stockholm",
    "Göteborg",
    "Malmö",
    "Oslo",
    "Tromsø",
    "Bergen",
    "København",
    "Aarhus",
    "Helsinki",
    "Tampere",
    "Warszawa",
    "Kraków",
    "Łódź",
    "Gdańsk",
    "Rzeszów",
    "Rīga",
    "Tallinn",
    "Reykjavík",
    "Berlin",
    "München",
];
const DISTRICTS: &[&str] = &[
    "Old Town",
    "Naujamiestis",
    "Žvėrynas",
    "Antakalnis",
    "Podil",
    "Obolon",
    "Södermalm",
    "Grünerløkka",
    "Nørrebro",
    "Praga",
    "Kalamaja",
    "Šilainiai",
    "Industrial Zone",
    "Port",
];
const TOPICS: &[&str] = &[
    "Defence Industry Cooperation",
    "Drone Production",
    "Ammunition Supply",
    "Demining",
    "Air Defence",
    "Long-range Strike Capabilities",
    "Electronic Warfare",
    "Rehabilitation of Veterans",
    "Joint Weapons Production",
    "Military Training",
    "Cyber Defence",
    "Critical Infrastructure Protection",
];
const PURPOSES: &[&str] = &[
    "Defence Support",
    "Drone Procurement",
    "Reconstruction",
    "Ammunition",
    "Veterans'",
    "Humanitarian Demining",
    "Air Defence",
    "Energy Resilience",
];
const CAMPAIGNS: &[&str] = &[
    "Radarom!",
    "Bayraktar for Ukraine",
    "Palianytsia for the Front",
    "Vilnius Drones",
    "Lituanica II",
    "Drones for Kharkiv",
    "Šilta žiema",
    "Тепла зима",
];
const COALITIONS: &[&str] = &[
    "Drone Coalition",
    "Demining Coalition",
    "IT Coalition",
    "Air Defence Coalition",
    "Armoured Vehicles Coalition",
    "Maritime Capability Coalition",
    "Artillery Coalition",
];
const EQUIPMENT: &[Spelled] = &[
    ("Palianytsia", "Паляниця", &["Palyanytsia"]),
    ("Peklo", "Пекло", &[]),
    ("Liutyi", "Лютий", &["Lyutyi", "Lyuty"]),
    ("Bober", "Бобер", &["Beaver"]),
    ("Stugna-P", "Стугна-П", &["Stuhna-P"]),
    ("Bohdana", "Богдана", &["Bogdana"]),
    ("Neptune", "Нептун", &["Neptun"]),
    ("Trembita", "Трембіта", &[]),
    ("Baba Yaga", "Баба Яга", &[]),
    ("Bayraktar TB2", "", &["TB2"]),
    ("Switchblade 600", "", &[]),
    ("Carl Gustaf M4", "", &["Carl Gustaf"]),
    ("RISE-1", "", &[]),
    ("Skyeton Raybird", "", &["Raybird"]),
];
const OUTLETS: &[&str] = &[
    "BNS",
    "LRT",
    "Delfi",
    "15min",
    "Ukrinform",
    "Kyiv Independent",
    "Ukrainska Pravda",
    "Defense Express",
    "SVT",
    "Yle",
    "ERR",
    "NRK",
    "Gazeta Wyborcza",
    "Reuters",
];
const ROLES: &[&str] = &[
    "Minister",
    "Vice-Minister",
    "Chancellor",
    "Director",
    "Adviser",
    "Head of Division",
    "Chief of Staff",
    "Spokesperson",
    "Board member",
];
const CURRENCIES: &[&str] = &[
    "EUR", "EUR", "EUR", "USD", "USD", "UAH", "SEK", "NOK", "DKK", "PLN", "GBP",
];

/// Names of the hub entities, which collect a tenth of all relations.
const HUBS: &[(&str, EntityKind, &str)] = &[
    (
        "Ministry of National Defence of Lithuania",
        EntityKind::Ministry,
        "Krašto apsaugos ministerija",
    ),
    (
        "Ministry of Defence of Ukraine",
        EntityKind::Ministry,
        "Міністерство оборони України",
    ),
    (
        "NATO",
        EntityKind::Organisation,
        "North Atlantic Treaty Organization",
    ),
    ("European Union", EntityKind::Organisation, "EU"),
    ("Ukraine", EntityKind::Country, "Україна"),
    ("Lithuania", EntityKind::Country, "Lietuva"),
    (
        "Ukrainian defence industry",
        EntityKind::Organisation,
        "Ukrainian defense industry",
    ),
    (
        "Armed Forces of Ukraine",
        EntityKind::Organisation,
        "Збройні сили України",
    ),
];

/// Kinds by share in a thousand.
const KIND_SHARES: &[(EntityKind, usize)] = &[
    (EntityKind::Person, 520),
    (EntityKind::Company, 110),
    (EntityKind::Organisation, 60),
    (EntityKind::Ministry, 20),
    (EntityKind::Place, 50),
    (EntityKind::Event, 90),
    (EntityKind::Agreement, 60),
    (EntityKind::Fund, 20),
    (EntityKind::Programme, 20),
    (EntityKind::Campaign, 10),
    (EntityKind::Coalition, 5),
    (EntityKind::Tranche, 15),
    (EntityKind::Equipment, 20),
];

fn hub_count(n: usize) -> usize {
    HUBS.len().min(n / 4)
}

/// The kind of entity `i`.
fn kind_of(opts: &GenOptions, i: usize) -> EntityKind {
    if i < hub_count(opts.entities) {
        return HUBS[i].1.clone();
    }
    let mut r = Rng::at(opts.seed, STREAM_ENTITY, i as u64);
    let mut roll = r.below(1000);
    for (k, share) in KIND_SHARES {
        if roll < *share {
            return k.clone();
        }
        roll -= share;
    }
    EntityKind::Person
}

fn id_of(kind: &EntityKind, i: usize) -> String {
    let prefix = match kind {
        EntityKind::Person => "p",
        EntityKind::Ministry => "min",
        EntityKind::Organisation => "org",
        EntityKind::Company => "co",
        EntityKind::Country => "c",
        EntityKind::Place => "pl",
        EntityKind::Programme => "prog",
        EntityKind::Fund => "fund",
        EntityKind::Coalition => "coal",
        EntityKind::Campaign => "camp",
        EntityKind::Tranche => "tr",
        EntityKind::Agreement => "agr",
        EntityKind::Event => "ev",
        EntityKind::Equipment => "eq",
        EntityKind::Other(_) => "x",
    };
    format!("{prefix}-{i:07}")
}

/// Removes diacritics but keeps case: `Kasčiūnas` → `Kasciunas`.
fn ascii_form(s: &str) -> String {
    deunicode::deunicode(s)
}

/// A Russian-style transliteration of a Lithuanian name: `Laurynas Kasčiūnas` →
/// `Laurinas Kaschyunas`.
fn slavic_form(s: &str) -> String {
    let mut out = s.to_string();
    for (from, to) in [
        ("iū", "yu"),
        ("y", "i"),
        ("č", "ch"),
        ("Č", "Ch"),
        ("š", "sh"),
        ("Š", "Sh"),
        ("ž", "zh"),
        ("Ž", "Zh"),
        ("ū", "u"),
        ("ė", "e"),
        ("ą", "a"),
        ("ę", "e"),
        ("į", "i"),
        ("ų", "u"),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// Scandinavian spelling without special letters: `Pål Ødegaard` → `Paal Oedegaard`.
fn nordic_form(s: &str) -> String {
    let mut out = s.to_string();
    for (from, to) in [
        ("å", "aa"),
        ("Å", "Aa"),
        ("ø", "oe"),
        ("Ø", "Oe"),
        ("ö", "oe"),
        ("ä", "ae"),
        ("æ", "ae"),
    ] {
        out = out.replace(from, to);
    }
    out
}

fn initial(first: &str) -> String {
    first
        .chars()
        .next()
        .map_or(String::new(), |c| format!("{c}."))
}

fn person(r: &mut Rng) -> (String, Vec<String>) {
    let mut aliases = Vec::new();
    let nation = r.below(100);
    let name;
    if nation < 35 {
        let (first, last) = if r.chance(550) {
            (*r.pick(LT_MALE), *r.pick(LT_MALE_SURNAMES))
        } else {
            (*r.pick(LT_FEMALE), *r.pick(LT_FEMALE_SURNAMES))
        };
        name = format!("{first} {last}");
        if name.is_ascii() {
            // Nothing to fold.
        } else if r.chance(450) {
            aliases.push(ascii_form(&name));
        }
        if r.chance(250) {
            aliases.push(format!("{} {last}", initial(first)));
        }
        if r.chance(100) {
            aliases.push(slavic_form(&name));
        }
    } else if nation < 70 {
        let (f, fc, falt) = *r.pick(UA_FIRST);
        let (l, lc, lalt) = *r.pick(UA_SURNAMES);
        name = format!("{f} {l}");
        if r.chance(450) && !fc.is_empty() && !lc.is_empty() {
            aliases.push(format!("{fc} {lc}"));
        }
        if !lalt.is_empty() && r.chance(500) {
            aliases.push(format!("{f} {}", r.pick(lalt)));
        } else if !falt.is_empty() && r.chance(300) {
            aliases.push(format!("{} {l}", r.pick(falt)));
        }
        if r.chance(150) {
            aliases.push(format!("{} {l}", initial(f)));
        }
    } else if nation < 85 {
        let first = *r.pick(NORDIC_FIRST);
        let last = *r.pick(NORDIC_SURNAMES);
        name = format!("{first} {last}");
        if !name.is_ascii() && r.chance(300) {
            aliases.push(ascii_form(&name));
        } else if !name.is_ascii() && r.chance(250) {
            aliases.push(nordic_form(&name));
        }
    } else if nation < 93 {
        name = format!("{} {}", r.pick(PL_FIRST), r.pick(PL_SURNAMES));
        if !name.is_ascii() && r.chance(400) {
            aliases.push(ascii_form(&name));
        }
    } else if nation < 97 {
        name = format!("{} {}", r.pick(DE_FIRST), r.pick(DE_SURNAMES));
    } else {
        name = format!("{} {}", r.pick(EN_FIRST), r.pick(EN_SURNAMES));
    }
    aliases.retain(|a| *a != name);
    aliases.dedup();
    (name, aliases)
}

fn surname(r: &mut Rng) -> &'static str {
    let list: &[&'static str] = match r.below(4) {
        0 => LT_MALE_SURNAMES,
        1 => return r.pick(UA_SURNAMES).0,
        2 => NORDIC_SURNAMES,
        _ => PL_SURNAMES,
    };
    list[r.below(list.len())]
}

/// Year, month, day or nothing, over 2014–2025.
fn date(r: &mut Rng) -> String {
    let y = 2014 + r.below(12);
    let m = 1 + r.below(12);
    let d = 1 + r.below(28);
    match r.below(10) {
        0..=1 => format!("{y}"),
        2..=4 => format!("{y}-{m:02}"),
        _ => format!("{y}-{m:02}-{d:02}"),
    }
}

fn later(r: &mut Rng, date: &str) -> String {
    let y: usize = date.get(..4).and_then(|s| s.parse().ok()).unwrap_or(2014);
    format!("{}", (y + 1 + r.below(3)).min(2026))
}

fn amount(r: &mut Rng) -> AmountRecord {
    let mantissa = [1, 2, 3, 5, 7, 10, 12, 15, 20, 25, 50, 75][r.below(12)] as f64;
    let scale = 10f64.powi(3 + r.below(6) as i32);
    AmountRecord {
        value: mantissa * scale,
        currency: r.pick(CURRENCIES).to_string(),
        approx: r.chance(200),
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Source `i`.
pub fn source(opts: &GenOptions, i: usize) -> SourceRecord {
    let mut r = Rng::at(opts.seed, STREAM_SOURCE, i as u64);
    let outlet = r.pick(OUTLETS).to_string();
    let title = format!(
        "{} and {} discuss {} in {}",
        surname(&mut r),
        surname(&mut r),
        r.pick(TOPICS).to_lowercase(),
        r.pick(CITIES)
    );
    SourceRecord {
        id: format!("s{i:06}"),
        outlet,
        title,
        published: Some(date(&mut r)),
        file: format!("{i:06}_{:016x}.txt", r.next()),
        url: r.chance(500).then(|| format!("https://news.example/{i}")),
    }
}

/// Number of sources for these options.
pub fn source_count(opts: &GenOptions) -> usize {
    (opts.entities / 20).max(1)
}

/// Entity `i`.
pub fn entity(opts: &GenOptions, i: usize) -> EntityRecord {
    let kind = kind_of(opts, i);
    let mut r = Rng::at(opts.seed, STREAM_ENTITY, i as u64);
    let _ = r.next(); // the kind roll
    let mut aliases = Vec::new();
    let mut weak_aliases = Vec::new();
    let mut date_s = None;
    let mut until = None;
    let mut amt = None;
    let country = |r: &mut Rng| *r.pick(COUNTRIES);
    let name = if i < hub_count(opts.entities) {
        aliases.push(HUBS[i].2.to_string());
        HUBS[i].0.to_string()
    } else {
        match kind {
            EntityKind::Person => {
                let (name, a) = person(&mut r);
                aliases = a;
                name
            }
            EntityKind::Ministry => {
                let (c, adj, native) = country(&mut r);
                let portfolio = *r.pick(PORTFOLIOS);
                let base = format!("Ministry of {portfolio} of {c}");
                if portfolio.contains("Defence") {
                    aliases.push(base.replace("Defence", "Defense"));
                    if !native.is_empty() && r.chance(500) {
                        aliases.push(native.to_string());
                    }
                }
                if r.chance(300) {
                    weak_aliases.push(format!("{adj} {} ministry", portfolio.to_lowercase()));
                }
                if r.chance(600) {
                    format!("{} Department, {base}", r.pick(DIVISIONS))
                } else {
                    base
                }
            }
            EntityKind::Organisation => {
                if r.chance(300) {
                    let n = r.pick(NATIVE_ORGS).to_string();
                    aliases.push(ascii_form(&n));
                    format!("{n} ({})", r.pick(CITIES))
                } else {
                    let (_, adj, _) = country(&mut r);
                    format!("{adj} {} ({})", r.pick(ORG_NOUNS), r.pick(CITIES))
                }
            }
            EntityKind::Company => {
                let n = format!(
                    "{} {} {}",
                    r.pick(COMPANY_ROOTS),
                    r.pick(INDUSTRIES),
                    r.pick(LEGAL_FORMS)
                );
                if !n.is_ascii() && r.chance(300) {
                    aliases.push(ascii_form(&n));
                }
                n
            }
            EntityKind::Country => country(&mut r).0.to_string(),
            EntityKind::Place => {
                let city = *r.pick(CITIES);
                if !city.is_ascii() && r.chance(300) {
                    aliases.push(format!("{}, {}", r.pick(DISTRICTS), ascii_form(city)));
                }
                format!("{}, {city}", r.pick(DISTRICTS))
            }
            EntityKind::Event => {
                let d = date(&mut r);
                let city = *r.pick(CITIES);
                let name = match r.below(4) {
                    0 => format!("{}–{} meeting in {city}", surname(&mut r), surname(&mut r)),
                    1 => format!("{}'s visit to {city}", surname(&mut r)),
                    2 => format!("{} conference in {city}", r.pick(TOPICS)),
                    _ => format!("Defence ministers' meeting in {city}"),
                };
                date_s = Some(d);
                name
            }
            EntityKind::Agreement => {
                let (a, _, _) = country(&mut r);
                let (b, _, _) = country(&mut r);
                let topic = *r.pick(TOPICS);
                let name = match r.below(3) {
                    0 => format!("Memorandum on {topic} between {a} and {b}"),
                    1 => format!("{a}–{b} agreement on {topic}"),
                    _ => format!("Letter of Intent on {topic}"),
                };
                if name.contains("Defence") {
                    aliases.push(name.replace("Defence", "Defense"));
                }
                let d = date(&mut r);
                if r.chance(300) {
                    until = Some(later(&mut r, &d));
                }
                date_s = Some(d);
                if r.chance(300) {
                    amt = Some(amount(&mut r));
                }
                name
            }
            EntityKind::Fund => {
                let (c, _, _) = country(&mut r);
                amt = Some(amount(&mut r));
                format!("{c} {} Fund", r.pick(PURPOSES))
            }
            EntityKind::Programme => format!("{} Programme", r.pick(PURPOSES)),
            EntityKind::Campaign => {
                date_s = Some(date(&mut r));
                format!("{} fundraising campaign", r.pick(CAMPAIGNS))
            }
            EntityKind::Coalition => r.pick(COALITIONS).to_string(),
            EntityKind::Tranche => {
                let a = amount(&mut r);
                let name = format!(
                    "{} {} {} tranche",
                    ordinal(1 + r.below(12)),
                    a.currency,
                    a.value
                );
                amt = Some(a);
                date_s = Some(date(&mut r));
                name
            }
            EntityKind::Equipment | EntityKind::Other(_) => {
                let (n, cyr, alt) = *r.pick(EQUIPMENT);
                let variant = r.below(6);
                let suffix = if variant == 0 {
                    String::new()
                } else {
                    format!("-{variant}")
                };
                if !cyr.is_empty() && r.chance(500) {
                    aliases.push(format!("{cyr}{suffix}"));
                }
                if !alt.is_empty() && r.chance(500) {
                    aliases.push(format!("{}{suffix}", r.pick(alt)));
                }
                format!("{n}{suffix}")
            }
        }
    };
    let sources = if r.chance(500) {
        vec![format!("s{:06}", r.below(source_count(opts)))]
    } else {
        Vec::new()
    };
    EntityRecord {
        id: id_of(&kind, i),
        kind,
        name,
        aliases,
        weak_aliases,
        date: date_s,
        until,
        note: None,
        amount: amt,
        sources,
        attrs: Vec::new(),
    }
}

/// Number of relations for these options.
pub fn relation_count(opts: &GenOptions) -> usize {
    if opts.entities < 2 {
        0
    } else {
        opts.entities.saturating_mul(opts.relations_per_entity)
    }
}

/// Relation `j`: from entity `j / relations_per_entity`, to a hub a tenth of the
/// time, else to an entity drawn with a bias towards early ones (so degrees vary).
pub fn relation(opts: &GenOptions, j: usize) -> RelationRecord {
    let n = opts.entities.max(2);
    let mut r = Rng::at(opts.seed, STREAM_RELATION, j as u64);
    let from = (j / opts.relations_per_entity.max(1)) % n;
    let hubs = hub_count(n);
    let mut to = if hubs > 0 && r.chance(100) {
        r.below(hubs)
    } else {
        let u = (r.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as usize
    };
    if to >= n || to == from {
        to = (from + 1 + r.below(n - 1)) % n;
    }
    let from_kind = kind_of(opts, from);
    let to_kind = kind_of(opts, to);
    use EntityKind as E;
    use RelationKind as R;
    let mut role = None;
    let mut amt = None;
    let kind = match (&from_kind, &to_kind) {
        (_, E::Place) => R::LocatedIn,
        (E::Person, E::Person) => R::Met,
        (E::Person, E::Ministry | E::Organisation | E::Company | E::Country) => {
            if r.chance(600) {
                role = Some(r.pick(ROLES).to_string());
                R::HoldsOffice
            } else if r.chance(500) {
                R::MemberOf
            } else {
                R::Advises
            }
        }
        (E::Person, E::Agreement) => R::Signed,
        (_, E::Agreement) => R::PartyTo,
        (_, E::Event) => R::Attended,
        (E::Company, E::Equipment) => R::Produces,
        (_, E::Equipment) => R::Supplies,
        (E::Tranche, _) => R::PartOf,
        (E::Agreement, E::Programme | E::Fund | E::Coalition) => R::Establishes,
        (_, E::Fund | E::Programme | E::Coalition | E::Campaign) => {
            if r.chance(400) {
                amt = Some(amount(&mut r));
            }
            R::ContributesTo
        }
        (E::Fund | E::Programme | E::Ministry | E::Country, _) => {
            amt = Some(amount(&mut r));
            R::Finances
        }
        (E::Event | E::Agreement, _) => R::Concerns,
        (_, E::Organisation) => R::MemberOf,
        _ => R::Concerns,
    };
    let (date_s, until) = if r.chance(700) {
        let d = date(&mut r);
        let u = r.chance(100).then(|| later(&mut r, &d));
        (Some(d), u)
    } else {
        (None, None)
    };
    let count = source_count(opts);
    let mut sources = vec![r.below(count)];
    for _ in 0..r.below(3) {
        let s = r.below(count);
        if !sources.contains(&s) {
            sources.push(s);
        }
    }
    RelationRecord {
        id: None,
        from: id_of(&from_kind, from),
        to: id_of(&to_kind, to),
        kind,
        role,
        date: date_s,
        until,
        amount: amt,
        sources: sources.into_iter().map(|s| format!("s{s:06}")).collect(),
        note: None,
        attrs: Vec::new(),
        undirected: false,
    }
}

/// The whole graph as records, in memory.
pub fn records(opts: &GenOptions) -> GraphFile {
    GraphFile {
        sources: (0..source_count(opts)).map(|i| source(opts, i)).collect(),
        entities: (0..opts.entities).map(|i| entity(opts, i)).collect(),
        relations: (0..relation_count(opts))
            .map(|j| relation(opts, j))
            .collect(),
    }
}

/// The generated graph, loaded (and so validated).
pub fn graph(opts: &GenOptions) -> Result<crate::Graph, crate::load::LoadError> {
    crate::load::load_records("<generated>", records(opts))
}

/// Writes the graph as a RON graph file, record by record.
pub fn write_ron(opts: &GenOptions, out: &mut impl Write) -> io::Result<()> {
    let pretty = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .compact_structs(true)
        .compact_arrays(true);
    let options = crate::load::ron_options();
    let mut buf = String::new();
    let mut record = |out: &mut dyn Write, value: &dyn erased::Record| -> io::Result<()> {
        buf.clear();
        value
            .write(&options, &mut buf, pretty.clone())
            .map_err(io::Error::other)?;
        writeln!(out, "        {buf},")
    };
    writeln!(
        out,
        "#![enable(implicit_some)]\n// Synthetic graph: ties gen --entities {} --relations-per-entity {} --seed {}",
        opts.entities, opts.relations_per_entity, opts.seed
    )?;
    writeln!(out, "Graph(\n    sources: [")?;
    for i in 0..source_count(opts) {
        record(out, &source(opts, i))?;
    }
    writeln!(out, "    ],\n    entities: [")?;
    for i in 0..opts.entities {
        record(out, &entity(opts, i))?;
    }
    writeln!(out, "    ],\n    relations: [")?;
    for j in 0..relation_count(opts) {
        record(out, &relation(opts, j))?;
    }
    writeln!(out, "    ],\n)")?;
    Ok(())
}

mod erased {
    //! One serialisation path for the three record types.
    pub trait Record {
        fn write(
            &self,
            options: &ron::Options,
            out: &mut String,
            pretty: ron::ser::PrettyConfig,
        ) -> ron::Result<()>;
    }

    impl<T: serde::Serialize> Record for T {
        fn write(
            &self,
            options: &ron::Options,
            out: &mut String,
            pretty: ron::ser::PrettyConfig,
        ) -> ron::Result<()> {
            options.to_writer_pretty(out, self, pretty)
        }
    }
}

/// Writes the graph to `path` through a temporary file renamed into place, so a
/// reader never sees half a file; refuses to replace a file unless `force`.
pub fn write_file(opts: &GenOptions, path: &Path, force: bool) -> Result<(), WriteError> {
    crate::export::write_atomic_with(path, force, |mut w| write_ron(opts, &mut w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(n: usize) -> GenOptions {
        GenOptions {
            entities: n,
            relations_per_entity: 3,
            seed: 7,
        }
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let write = |o: &GenOptions| {
            let mut v = Vec::new();
            write_ron(o, &mut v).unwrap();
            v
        };
        let a = write(&opts(300));
        assert_eq!(a, write(&opts(300)));
        let mut other = opts(300);
        other.seed = 8;
        assert_ne!(a, write(&other));
    }

    #[test]
    fn the_file_loads_back_as_the_same_graph() {
        let o = opts(400);
        let mut v = Vec::new();
        write_ron(&o, &mut v).unwrap();
        let text = String::from_utf8(v).unwrap();
        let parsed = crate::load::parse_text(&text).unwrap();
        assert_eq!(parsed, records(&o));
        let g = crate::load::load_texts(vec![("gen.ron".into(), text)]).unwrap();
        assert_eq!(g.node_count(), 400);
        assert_eq!(g.edge_count(), 1200);
    }

    #[test]
    fn shaped_like_real_data() {
        let o = GenOptions {
            entities: 20_000,
            relations_per_entity: 2,
            seed: 1,
        };
        let file = records(&o);
        let texts: Vec<&str> = file
            .entities
            .iter()
            .flat_map(|e| {
                std::iter::once(&e.name)
                    .chain(&e.aliases)
                    .chain(&e.weak_aliases)
            })
            .map(|s| s.as_str())
            .collect();
        let non_ascii = texts.iter().filter(|t| !t.is_ascii()).count() as f64 / texts.len() as f64;
        assert!(
            (0.3..=0.5).contains(&non_ascii),
            "{non_ascii:.2} of names are non-ASCII"
        );
        let g = crate::load::load_records("gen", file).unwrap();
        // Hubs: the busiest entity holds far more relations than the average (2×2).
        let max = g.node_indices().map(|n| g.degree(n)).max().unwrap();
        assert!(max > 200, "busiest entity has {max} relations");
        // Mixed date precision, several currencies, every relation sourced.
        let mut precisions = std::collections::BTreeSet::new();
        let mut currencies = std::collections::BTreeSet::new();
        for e in g.edge_indices() {
            let r = g.relation(e);
            assert!(!g.source_list(r.sources).is_empty());
            if let Some(d) = r.date {
                precisions.insert(format!("{:?}", d.precision()));
            }
            if let Some(a) = r.amount {
                currencies.insert(a.currency.code());
            }
        }
        assert_eq!(precisions.len(), 3, "{precisions:?}");
        assert!(currencies.len() >= 5, "{currencies:?}");
    }

    #[test]
    fn tiny_graphs_are_valid() {
        for n in 0..6 {
            let g = graph(&opts(n)).unwrap();
            assert_eq!(g.node_count(), n);
        }
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.ron");
        write_file(&opts(10), &p, false).unwrap();
        let before = std::fs::read(&p).unwrap();
        assert!(matches!(
            write_file(&opts(20), &p, false),
            Err(WriteError::Exists(_))
        ));
        assert_eq!(std::fs::read(&p).unwrap(), before);
        write_file(&opts(20), &p, true).unwrap();
        assert_ne!(std::fs::read(&p).unwrap(), before);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

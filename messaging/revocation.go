package messaging

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Revocation is how clearly a message asks carepath to stop contacting
// the sender: the FCC's 2024 rule has a revocation made "by any reasonable
// means" honoured, not only the keyword STOP.
type Revocation int

const (
	RevocationNone    Revocation = iota // not a request to stop
	RevocationUnclear                   // may be one, but not clearly: a person reviews it
	RevocationClear                     // a clear request to stop contacting: revoke consent
)

func (r Revocation) String() string {
	switch r {
	case RevocationUnclear:
		return "unclear"
	case RevocationClear:
		return "clear"
	}
	return "none"
}

// How ParseRevocation reads a message. The text is folded (case, accents,
// full-width letters, apostrophes, common misspellings and texting
// shorthand) and cut into clauses at punctuation. A rule is an intent
// (stop, no more, take me off, don't, dejen de, no me manden, …) joined
// to a messaging object (texting, messages, your list, escribirme,
// mensajes, …): a bare "stop" or "no more" never revokes, because what
// patients stop and have no more of is mostly pills and pain. A match is
// then checked by guards:
//   - negation: "don't stop texting me", "I don't want you to stop";
//   - medication: a medicine or symptom right after the match ("stop
//     sending me pills", "no me manden la receta");
//   - instructions quoted back: "reply STOP to opt out";
//   - a condition or a complaint about frequency ("if you stop texting",
//     "stop texting me so often") makes a clear match only unclear.
//
// The highest level any rule reaches is the answer. The rules are data
// below (revocationClasses, revocationRules): a reviewer can read and
// extend them; testdata/revocations_labelled.tsv holds the labelled set
// every change is checked against.

// revocationClasses are the word classes rules refer to as {name}. Words
// are in folded form: lower case, no accents, no apostrophes.
var revocationClasses = map[string]string{
	// English
	"halt":     "stop quit cease",
	"ing":      "texting messaging sending contacting emailing mailing bothering spamming harassing pestering writing pinging",
	"base":     "text message contact email bother spam harass write ping",
	"msgs":     "messages message texts text sms emails email reminders notifications alerts mails",
	"det":      "the these this those your all any anymore my of such stupid damn annoying automated more",
	"me":       "me us",
	"listn":    "list lists mailing texting contact distribution database system registry",
	"rm":       "take remove delete drop erase get cross",
	"from":     "off from of",
	"fill":     "please now already anymore thanks thank you thx ok okay right away immediately asap again ever forever today permanently stop just all sir maam",
	"neg":      "dont never",
	"want":     "want wish need like",
	"receive":  "receive get getting receiving",
	"gerrcv":   "getting receiving",
	"aux":      "do does are is did",
	"who":      "you they someone yall",
	"self":     "i we to ill im should must gonna",
	"received": "got get gotten received receive receiving getting had have were was there is are see saw seen hear heard",
	// Spanish
	"esimp":   "manden mande mandes envien envie envies escriban escriba escribas contacten contacte contactes molesten moleste molestes texteen textee mensajeen",
	"esinfme": "escribirme mandarme enviarme contactarme molestarme textearme mensajearme escribirnos mandarnos",
	"esinf":   "escribir mandar enviar contactar molestar textear",
	"esfill":  "ya por favor porfavor gracias ahora",
	"esdejar": "dejen deje deja dejes paren pare para",
	"esmsgs":  "mensajes mensaje textos texto sms correos correo emails llamadas recordatorios notificaciones avisos alertas",
	"esdet":   "la los las el su sus esta estos estas este esa esos mi mis de tantos tantas",
	"esquit":  "quitenme quiteme quitame sacame saquenme saqueme borrenme borreme borrame eliminenme elimineme eliminame",
	"esrm":    "quiten quite saquen saque borren borre eliminen elimine",
	"esger":   "mandando escribiendo enviando contactando molestando texteando textiando",
	"esind":   "mandan escriben envian contactan",
	"esbaja":  "dar darme denme dame deme darse doy",
}

// revocationRules, each a pattern of words: a literal, a|b (one of
// several), {class}, a trailing ? (optional) or * (any number). alone: the
// pattern must be the whole clause. notAfter: words that, right before the
// match, rule it out ("should I stop it?" is the patient's own stopping).
var revocationRules = []struct {
	level    Revocation
	pattern  string
	alone    bool
	notAfter string
}{
	// English, clear.
	{level: RevocationClear, pattern: "{halt} {ing} {me}"},                         // stop texting me
	{level: RevocationClear, pattern: "{fill}* {halt} {ing} {fill}*", alone: true}, // stop texting please
	{level: RevocationClear, pattern: "{halt} {ing} {det}* {msgs}"},                // stop sending these messages
	{level: RevocationClear, pattern: "{halt} {det}* {msgs}"},                      // stop the texts
	{level: RevocationClear, pattern: "{halt} {gerrcv} {det}* {msgs}"},             // stop getting texts
	{level: RevocationClear, pattern: "{halt} {gerrcv} these|them|this|any"},       // how do I stop getting these
	{level: RevocationClear, pattern: "{fill}* stop {fill}*", alone: true},         // please stop
	{level: RevocationClear, pattern: "end|cancel {det}* {msgs}"},                  // cancel my texts
	{level: RevocationClear, pattern: "cancel {det}* subscription"},                // cancel my subscription
	{level: RevocationClear, pattern: "{neg} {base} {me}"},                         // don't text me
	{level: RevocationClear, pattern: "{neg} {base} this|my phone? number|phone"},
	{level: RevocationClear, pattern: "{halt} {ing} this|my phone? number|phone"},
	{level: RevocationClear, pattern: "{neg} send {me} {det}* {msgs}"},              // don't send me any more texts
	{level: RevocationClear, pattern: "{neg} send {me} anymore"},                    // don't send me anymore
	{level: RevocationClear, pattern: "{neg} want|wish {det}* {msgs}"},              // I don't want your messages
	{level: RevocationClear, pattern: "{neg} want|wish to {receive} {det}* {msgs}"}, // don't want to get texts
	{level: RevocationClear, pattern: "{neg} want|wish {who} to {base} {me}"},       // I don't want you to text me
	{level: RevocationClear, pattern: "{neg} want|wish to be texted|contacted|messaged|emailed"},
	{level: RevocationClear, pattern: "no more {det}* {msgs}", notAfter: "{received}"}, // no more messages
	{level: RevocationClear, pattern: "no {msgs} please"},                              // no texts please
	{level: RevocationClear, pattern: "enough with? {det}* {msgs}"},                    // enough with the texts
	{level: RevocationClear, pattern: "done with {det}* {msgs}"},                       // I'm done with these texts
	{level: RevocationClear, pattern: "{det}* {msgs} need|must|have|has|gotta to? stop"},
	{level: RevocationClear, pattern: "make {det}* {msgs} stop"},         // make these texts stop
	{level: RevocationClear, pattern: "{rm} {me} {from} {det}* {listn}"}, // take me off your list
	{level: RevocationClear, pattern: "{rm} my phone? number|name|email {from}? {det}* {listn}"},
	{level: RevocationClear, pattern: "{fill}* remove|delete|drop|unenroll {me} {fill}*", alone: true}, // remove me please
	{level: RevocationClear, pattern: "{fill}* take|get {me} off {fill}*", alone: true},                // take me off
	{level: RevocationClear, pattern: "{fill}* {rm} my phone? number|email {fill}*", alone: true},      // delete my number
	{level: RevocationClear, pattern: "{rm} {me} {from} {det}* {msgs}"},                                // take me off these texts
	{level: RevocationClear, pattern: "lose|forget my number"},                                         // lose my number
	{level: RevocationClear, pattern: "unsubscribe"},                                                   // unsubscribe me
	{level: RevocationClear, pattern: "optout"},                                                        // I want to opt out
	{level: RevocationClear, pattern: "opt {me} out"},                                                  // opt me out
	{level: RevocationClear, pattern: "unsubscribed|optedout"},                                         // I already unsubscribed
	{level: RevocationClear, pattern: "stopall|revoke"},                                                // I revoke my consent
	{level: RevocationClear, pattern: "withdraw my? consent"},                                          // I withdraw consent
	{level: RevocationClear, pattern: "{neg} consent"},                                                 // I do not consent
	{level: RevocationClear, pattern: "no longer consent"},                                             // I no longer consent
	{level: RevocationClear, pattern: "told|asked you|u to? stop"},                                     // I told you to stop
	{level: RevocationClear, pattern: "i already? said|replied|texted|sent|typed|wrote stop"},          // I said stop
	// English, unclear: may be a revocation; a person decides.
	{level: RevocationUnclear, pattern: "{halt} these|this|them|it|that", notAfter: "{self}"}, // can you stop these?
	{level: RevocationUnclear, pattern: "how do|can|could i stop|end these|this|them|it"},
	{level: RevocationUnclear, pattern: "{halt} calling {me}?"},             // calls are not what carepath sends
	{level: RevocationUnclear, pattern: "{neg} call {me}"},                  // don't call me (text me instead?)
	{level: RevocationUnclear, pattern: "{neg} need|like {det}* {msgs}"},    // I don't need reminders
	{level: RevocationUnclear, pattern: "too|so many {det}* {msgs}"},        // too many messages
	{level: RevocationUnclear, pattern: "way? too many", alone: true},       // too many
	{level: RevocationUnclear, pattern: "why {aux} {who}? keep? {ing}"},     // why do you keep texting me
	{level: RevocationUnclear, pattern: "why {aux} i keep|still? {gerrcv}"}, // why do I keep getting these
	{level: RevocationUnclear, pattern: "{who} guys? keep|keeps {ing} {me}", notAfter: "can could will would please"},
	{level: RevocationUnclear, pattern: "who gave {who}? my number|email|info"},                        // who gave you my number
	{level: RevocationUnclear, pattern: "how|where did {who} get my number|email|info"},                // how did you get my number
	{level: RevocationUnclear, pattern: "i? {neg} want these|this|them|that|any|anymore", alone: true}, // I don't want these
	{level: RevocationUnclear, pattern: "leave {me} alone"},                                            // leave me alone
	{level: RevocationUnclear, pattern: "go away"},
	{level: RevocationUnclear, pattern: "wrong number|person"},
	{level: RevocationUnclear, pattern: "spam"},
	{level: RevocationUnclear, pattern: "{det}* {msgs} are|is annoying|excessive|harassment"},
	{level: RevocationUnclear, pattern: "not interested in {det}* {msgs}"},
	{level: RevocationUnclear, pattern: "enough already?", alone: true},
	{level: RevocationUnclear, pattern: "{fill}* no more {fill}*", alone: true},
	{level: RevocationUnclear, pattern: "make these|this|them|it stop"},
	{level: RevocationUnclear, pattern: "{rm} {me} {from} {det}* program|study|service|group|this"},
	{level: RevocationUnclear, pattern: "i want out"},
	{level: RevocationUnclear, pattern: "do not disturb"},
	{level: RevocationUnclear, pattern: "cancel|end|quit|alto|baja|basta|enough", alone: true}, // in email, or high/low in Spanish
	// Spanish, clear.
	{level: RevocationClear, pattern: "no me {esimp}"},                          // (ya) no me manden mensajes
	{level: RevocationClear, pattern: "no {esimp} mas"},                         // no manden más
	{level: RevocationClear, pattern: "no {esimp} {esdet}* {esmsgs}"},           // no manden mensajes
	{level: RevocationClear, pattern: "no me vuelvan a {esinfme}|{esinf}"},      // no me vuelvan a escribir
	{level: RevocationClear, pattern: "{esdejar} de {esinfme}"},                 // dejen de escribirme
	{level: RevocationClear, pattern: "{esdejar} de {esinf} {esdet}* {esmsgs}"}, // dejen de mandar mensajes
	{level: RevocationClear, pattern: "dejen|paren de {esinf}"},                 // dejen de escribir
	{level: RevocationClear, pattern: "dejar de recibir {esdet}* {esmsgs}"},     // quiero dejar de recibir mensajes
	{level: RevocationClear, pattern: "paren|pare|detengan|parar|detener|cancelen|cancelar|cancela|cancele {esdet}* {esmsgs}"},
	{level: RevocationClear, pattern: "paren|pare|parar {fill}|{esfill}*", alone: true}, // paren ya
	{level: RevocationClear, pattern: "{esquit} de {esdet}* lista|listas|sistema|base"}, // quítenme de la lista
	{level: RevocationClear, pattern: "{fill}|{esfill}* {esquit} {fill}|{esfill}*", alone: true},
	{level: RevocationClear, pattern: "{esrm} mi numero|correo"},                          // borren mi número
	{level: RevocationClear, pattern: "salir de {esdet}* lista"},                          // quiero salir de la lista
	{level: RevocationClear, pattern: "no quiero recibir|tener? mas? {esdet}* {esmsgs}"},  // no quiero recibir más mensajes
	{level: RevocationClear, pattern: "no quiero recibir mas|nada"},                       // ya no quiero recibir más
	{level: RevocationClear, pattern: "no quiero que me {esimp}"},                         // no quiero que me escriban
	{level: RevocationClear, pattern: "basta ya? de|con {esdet}* {esmsgs}"},               // basta de mensajes
	{level: RevocationClear, pattern: "no mas {esdet}* {esmsgs}", notAfter: "{received}"}, // no más mensajes
	{level: RevocationClear, pattern: "ningun {esmsgs} mas"},                              // ningún mensaje más
	{level: RevocationClear, pattern: "{esbaja} de baja"},                                 // darme de baja
	{level: RevocationClear, pattern: "cancelar|cancelen|cancele|cancela mi|la? suscripcion"},
	// Spanish, unclear.
	{level: RevocationUnclear, pattern: "demasiados|muchos|tantos {esmsgs}"},     // demasiados mensajes
	{level: RevocationUnclear, pattern: "por que me siguen? {esger}|{esind}"},    // por qué me siguen mandando
	{level: RevocationUnclear, pattern: "quien les|le|te? dio mi numero|correo"}, // quién les dio mi número
	{level: RevocationUnclear, pattern: "donde|como sacaron|consiguieron|obtuvieron mi numero|correo"},
	{level: RevocationUnclear, pattern: "no quiero estos|esto|estas|eso|esos", alone: true},
	{level: RevocationUnclear, pattern: "ya? no quiero estos|estas|esos {esmsgs}"},
	{level: RevocationUnclear, pattern: "dejenme|dejame|dejeme en paz"}, // déjenme en paz
	{level: RevocationUnclear, pattern: "ya basta", alone: true},
	{level: RevocationUnclear, pattern: "numero equivocado"},
	{level: RevocationUnclear, pattern: "salir de {esdet}* programa"},
	{level: RevocationUnclear, pattern: "no me llamen|llame|llames"},
	{level: RevocationUnclear, pattern: "{esdejar} de llamarme"},
}

// revocationSpelling maps misspellings and shorthand to the words rules
// use; a value may be two words.
var revocationSpelling = map[string]string{
	"stp": "stop", "stopp": "stop", "sotp": "stop", "stpo": "stop", "stahp": "stop", "srop": "stop",
	"txt": "text", "tx": "text", "tex": "text", "txts": "texts", "texs": "texts", "textes": "texts", "txtx": "texts",
	"txting": "texting", "txtin": "texting", "textin": "texting", "texin": "texting", "texing": "texting",
	"textng": "texting", "textting": "texting", "txtng": "texting", "tetxing": "texting", "textimg": "texting",
	"msg": "message", "mesage": "message", "messege": "message", "massage": "message", "mssg": "message",
	"msgs": "messages", "msges": "messages", "mssgs": "messages", "messeges": "messages", "mesages": "messages",
	"messags": "messages", "messges": "messages", "massages": "messages", "mesgs": "messages", "messagess": "messages",
	"msging": "messaging", "messeging": "messaging", "mesaging": "messaging", "messagin": "messaging", "messageing": "messaging",
	"emial": "email", "emails": "emails", "emailin": "emailing", "emailng": "emailing",
	"contactin": "contacting", "sendin": "sending", "sendng": "sending", "botherin": "bothering", "spammin": "spamming",
	"plz": "please", "pls": "please", "plez": "please", "pleas": "please", "pleae": "please", "plse": "please",
	"plss": "please", "pleez": "please", "pleaze": "please", "pleasee": "please", "plox": "please",
	"u": "you", "ya'll": "yall", "ur": "your", "yr": "your", "r": "are", "y": "why", "wat": "what",
	"donot": "dont", "dnt": "dont", "didnt": "didnt", "cannot": "cant", "wont": "wont",
	"nomore": "no more", "anymoree": "anymore", "anymor": "anymore", "no1": "no one",
	"unsubscibe": "unsubscribe", "unsubcribe": "unsubscribe", "unsuscribe": "unsubscribe", "unsubscrib": "unsubscribe",
	"unsubsribe": "unsubscribe", "unsubscrive": "unsubscribe", "unsub": "unsubscribe", "unsubscribeme": "unsubscribe me",
	"desuscribir": "unsubscribe", "desuscribirme": "unsubscribe", "desuscribanme": "unsubscribe", "desuscribeme": "unsubscribe",
	"desubscribir": "unsubscribe", "desubscribirme": "unsubscribe", "desinscribirme": "unsubscribe",
	"optout": "optout", "optedout": "optedout",
	"msj": "mensaje", "msjs": "mensajes", "mjs": "mensajes", "mensages": "mensajes", "menajes": "mensajes",
	"mensjes": "mensajes", "mesajes": "mensajes", "mensage": "mensaje",
	"q": "que", "k": "que", "xq": "por que", "porque": "por que", "pq": "por que",
	"enbien": "envien", "escrivan": "escriban", "escrivirme": "escribirme", "mandes": "mandes",
	"quitemne": "quitenme", "kitenme": "quitenme", "quitenmen": "quitenme",
}

// Guards. negators negate a match right after them ("don't stop texting
// me") or, with a verb of wanting or saying, a few words before ("I don't
// want you to stop texting me").
var (
	revocationNegators = wordSet("not never dont cant wont didnt doesnt shouldnt wouldnt isnt arent aint nunca jamas")
	revocationWantSay  = wordSet("want wanted need needed mean meant ask asking asked say said saying think thought tell told telling")
	// "no" negates a Spanish intent verb right after it ("no dejen de escribirme").
	revocationNoNegates = wordSet(revocationClasses["esdejar"] + " " + revocationClasses["esquit"] + " " + revocationClasses["esinfme"])
	// Medicines, symptoms and treatments: one right after a match means
	// the patient is talking about their care, never their consent.
	revocationMedical = wordSet("med meds medication medications medicine medicines pill pills insulin metformin dose doses " +
		"drug drugs tablet tablets prescription prescriptions refill refills pain bleeding cough coughing antibiotic antibiotics " +
		"inhaler treatment therapy bandage dressing taking eating drinking smoking shots shot injection injections surgery procedure " +
		"pastilla pastillas medicina medicinas medicamento medicamentos receta recetas insulina dosis dolor tratamiento tomar")
	// A keyword quoted back from an instruction ("reply STOP to opt out").
	revocationInstructVerb = wordSet("reply text send respond type txt responda responde envie escriba")
	revocationInstructWord = wordSet("stop start help unsubscribe optout yes quit cancel end alto")
	// A condition before a match, or frequency in its clause, leaves it unclear.
	revocationConditional = wordSet("if unless whether")
	revocationFrequency   = [][]string{{"so", "many"}, {"so", "often"}, {"so", "much"}, {"as", "many"}, {"that", "many"},
		{"too", "often"}, {"so", "frequently"}, {"tantos"}, {"tantas"}, {"tan", "seguido"}, {"tan", "seguidos"}, {"every", "day"}}
	// A time, a language or a channel right after a match makes it a
	// preference ("don't text me before 8", "no me escriba en inglés"): unclear.
	revocationQualifier = wordSet("after before during until early late night nights morning mornings weekend weekends " +
		"work english spanish ingles espanol noche noches manana mananas temprano tarde despues antes durante hasta trabajo")
	// Whom a "don't want" may be about, between it and the match.
	revocationObjects = wordSet("you u them anyone yall him her")
)

// ParseRevocation reads a message (SMS or email text, English or Spanish) for a request to stop being contacted.
func ParseRevocation(text string) Revocation {
	best := RevocationNone
	for _, clause := range revocationClauses(text) {
		if instruction(clause) {
			continue
		}
		for _, r := range compiledRules {
			if l := r.match(clause); l > best {
				best = l
			}
		}
		if best == RevocationClear {
			break
		}
	}
	return best
}

// revocationClauses folds text and cuts it into clauses of words.
func revocationClauses(text string) [][]string {
	s := strings.ToLower(width.Fold.String(text))
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// an accent: "más" reads as "mas"
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == '-':
			// "don't" reads as "dont", "opt-out" as "optout"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case strings.ContainsRune(".,!?;:¡¿…\n\r()\"", r):
			b.WriteString(" | ")
		default:
			b.WriteByte(' ')
		}
	}
	var clauses [][]string
	for _, part := range strings.Split(b.String(), "|") {
		var words []string
		for _, w := range strings.Fields(part) {
			words = append(words, strings.Fields(canonicalWord(w))...)
		}
		words = joinPairs(words)
		if len(words) > 0 {
			clauses = append(clauses, words)
		}
	}
	return clauses
}

// canonicalWord corrects one word's spelling: from the table, or by
// squeezing letters repeated three times or more ("stooop", "pleeease").
func canonicalWord(w string) string {
	if c, ok := revocationSpelling[w]; ok {
		return c
	}
	if !hasRun(w, 3) {
		return w
	}
	if c, ok := revocationSqueezed[squeeze(w)]; ok {
		return c
	}
	return w
}

// joinPairs reads two-word forms as one: "do not" as "dont", "opt out"
// as "optout".
func joinPairs(words []string) []string {
	pairs := map[[2]string]string{
		{"do", "not"}: "dont", {"did", "not"}: "didnt", {"can", "not"}: "cant", {"will", "not"}: "wont",
		{"does", "not"}: "doesnt", {"opt", "out"}: "optout", {"opted", "out"}: "optedout", {"any", "more"}: "anymore",
		{"e", "mail"}: "email", {"e", "mails"}: "emails", {"stop", "all"}: "stopall", {"un", "subscribe"}: "unsubscribe",
	}
	out := words[:0:0]
	for i := 0; i < len(words); i++ {
		if i+1 < len(words) {
			if j, ok := pairs[[2]string{words[i], words[i+1]}]; ok {
				out = append(out, j)
				i++
				continue
			}
		}
		out = append(out, words[i])
	}
	return out
}

func hasRun(w string, n int) bool {
	run, prev := 0, rune(0)
	for _, r := range w {
		if r == prev {
			run++
		} else {
			run, prev = 1, r
		}
		if run >= n {
			return true
		}
	}
	return false
}

// squeeze collapses every run of one letter to a single letter.
func squeeze(w string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range w {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// instruction reports a clause quoting a keyword instruction back ("reply
// STOP to unsubscribe"), as a reply that kept the original text may.
func instruction(clause []string) bool {
	for i := 0; i+1 < len(clause); i++ {
		if revocationInstructVerb[clause[i]] && revocationInstructWord[clause[i+1]] {
			return true
		}
	}
	return false
}

// element is one position of a compiled pattern.
type element struct {
	words     map[string]bool
	opt, many bool
}

type compiledRule struct {
	level    Revocation
	elems    []element
	alone    bool
	notAfter map[string]bool
}

var compiledRules, revocationSqueezed = compileRevocationRules()

func compileRevocationRules() ([]compiledRule, map[string]string) {
	vocab := map[string]bool{}
	var rules []compiledRule
	for _, r := range revocationRules {
		c := compiledRule{level: r.level, alone: r.alone, notAfter: map[string]bool{}}
		for _, w := range strings.Fields(r.notAfter) {
			if strings.HasPrefix(w, "{") {
				w = revocationClasses[strings.Trim(w, "{}")]
			}
			for _, v := range strings.Fields(w) {
				c.notAfter[v] = true
			}
		}
		for _, tok := range strings.Fields(r.pattern) {
			var e element
			switch {
			case strings.HasSuffix(tok, "?"):
				e.opt, tok = true, strings.TrimSuffix(tok, "?")
			case strings.HasSuffix(tok, "*"):
				e.many, tok = true, strings.TrimSuffix(tok, "*")
			}
			e.words = map[string]bool{}
			for _, alt := range strings.Split(tok, "|") {
				words := []string{alt}
				if strings.HasPrefix(alt, "{") {
					class, ok := revocationClasses[strings.Trim(alt, "{}")]
					if !ok {
						panic("messaging: revocation rule names an unknown class " + alt)
					}
					words = strings.Fields(class)
				}
				for _, w := range words {
					e.words[w], vocab[w] = true, true
				}
			}
			c.elems = append(c.elems, e)
		}
		rules = append(rules, c)
	}
	for _, v := range revocationSpelling {
		for _, w := range strings.Fields(v) {
			vocab[w] = true
		}
	}
	squeezed := map[string]string{}
	for w := range vocab {
		squeezed[squeeze(w)] = w
	}
	return rules, squeezed
}

// match is the level the rule gives the clause: its own, lowered to
// unclear by a condition or frequency, or none.
func (r compiledRule) match(clause []string) Revocation {
	for start := range clause {
		if r.alone && start > 0 {
			break
		}
		end, ok := matchElems(r.elems, clause, start)
		if !ok || (r.alone && end != len(clause)) || r.guarded(clause, start, end) {
			continue
		}
		if r.level == RevocationClear && (conditional(clause[:start]) || frequency(clause) || qualified(clause[end:])) {
			return RevocationUnclear
		}
		return r.level
	}
	return RevocationNone
}

// matchElems matches elems against words from i on, returning where the
// match ends.
func matchElems(elems []element, words []string, i int) (int, bool) {
	if len(elems) == 0 {
		return i, true
	}
	e := elems[0]
	if e.many {
		j := i
		for j < len(words) && e.words[words[j]] {
			j++
		}
		for ; j >= i; j-- { // longest first, then give back
			if end, ok := matchElems(elems[1:], words, j); ok {
				return end, true
			}
		}
		return 0, false
	}
	if i < len(words) && e.words[words[i]] {
		if end, ok := matchElems(elems[1:], words, i+1); ok {
			return end, true
		}
	}
	if e.opt {
		return matchElems(elems[1:], words, i)
	}
	return 0, false
}

// guarded reports a match that negation, medicine or the rule's own
// notAfter words rule out.
func (r compiledRule) guarded(clause []string, start, end int) bool {
	if start > 0 {
		prev := clause[start-1]
		if revocationNegators[prev] || (prev == "no" && revocationNoNegates[clause[start]]) || r.notAfter[prev] {
			return true
		}
	}
	// "did you stop sending …?" asks about the past; "To unsubscribe, …"
	// begins an instruction.
	if (start >= 2 && clause[start-2] == "did") || (start == 1 && clause[0] == "to") {
		return true
	}
	if negatedWant(clause[:start]) {
		return true
	}
	for j := end; j < len(clause) && j < end+2; j++ {
		if revocationMedical[clause[j]] {
			return true
		}
	}
	return false
}

// negatedWant reports words ending in a negated wish or saying, with
// whom and "to" between it and what follows: "I don't want (you) (to)",
// "I didn't say".
func negatedWant(before []string) bool {
	i := len(before) - 1
	if i >= 0 && before[i] == "to" {
		i--
	}
	if i >= 0 && revocationObjects[before[i]] {
		i--
	}
	return i >= 1 && revocationWantSay[before[i]] && revocationNegators[before[i-1]]
}

// qualified reports a time, language or channel right after a match.
func qualified(after []string) bool {
	for j := 0; j < len(after) && j < 4; j++ {
		if revocationQualifier[after[j]] {
			return true
		}
	}
	return false
}

func conditional(before []string) bool {
	for _, w := range before {
		if revocationConditional[w] {
			return true
		}
	}
	return false
}

func frequency(clause []string) bool {
	for i := range clause {
		for _, f := range revocationFrequency {
			if i+len(f) <= len(clause) && equalWords(clause[i:i+len(f)], f) {
				return true
			}
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

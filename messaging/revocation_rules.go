package messaging

// The data ParseRevocation reads messages with (revocation.go): word
// classes, rules, spellings and guard words. Extend them here, and add the
// message that showed the need to testdata/revocations_labelled.tsv.

// revocationClasses are the word classes rules refer to as {name}. Words
// are in folded form: lower case, no accents, no apostrophes.
var revocationClasses = map[string]string{
	// English
	"halt":     "stop quit cease discontinue",
	"ing":      "texting messaging sending contacting emailing mailing bothering spamming harassing pestering writing pinging",
	"base":     "text message contact email bother spam harass write ping",
	"msgs":     "messages message texts text sms emails email reminders notifications alerts mails contact communication communications",
	"msgsp":    "messages texts sms emails reminders notifications alerts communications",
	"det":      "the these this those your all any anymore my of such stupid damn annoying automated more future further text email with",
	"me":       "me us",
	"listn":    "list lists mailing texting contact distribution database system registry",
	"rm":       "take remove delete drop erase get cross",
	"from":     "off from of",
	"fill":     "please now already anymore thanks thank you thx ok okay right away immediately asap again ever forever today permanently stop just all sir maam",
	"neg":      "dont never nolonger",
	"want":     "want wish",
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
	{level: RevocationClear, pattern: "{halt} {ing} {me}"},                               // stop texting me
	{level: RevocationClear, pattern: "{fill}* {halt} {ing} {fill}*", alone: true},       // stop texting please
	{level: RevocationClear, pattern: "{halt} {ing} {det}* {msgs}"},                      // stop sending these messages
	{level: RevocationClear, pattern: "{halt} {det}* {msgs}"},                            // stop the texts
	{level: RevocationClear, pattern: "{halt} {gerrcv} {det}* {msgs}"},                   // stop getting texts
	{level: RevocationClear, pattern: "{halt} {gerrcv} these|them|this|any"},             // how do I stop getting these
	{level: RevocationClear, pattern: "{fill}* stop {fill}*", alone: true},               // please stop
	{level: RevocationClear, pattern: "end|cancel {det}* {msgsp}", notAfter: "the"},      // cancel my texts
	{level: RevocationClear, pattern: "cancel {det}* subscription"},                      // cancel my subscription
	{level: RevocationClear, pattern: "{neg} ever? {base} {me}"},                         // don't text me
	{level: RevocationClear, pattern: "{fill}* {neg} ever? {base} {fill}*", alone: true}, // do not text
	{level: RevocationClear, pattern: "{neg} {base} this|my phone? number|phone"},
	{level: RevocationClear, pattern: "{halt} {ing} this|my phone? number|phone"},
	{level: RevocationClear, pattern: "{neg} send {me} {det}* {msgs}"},              // don't send me any more texts
	{level: RevocationClear, pattern: "{neg} send {me} anymore"},                    // don't send me anymore
	{level: RevocationClear, pattern: "{neg} want|wish {det}* {msgs}"},              // I don't want your messages
	{level: RevocationClear, pattern: "{neg} want|wish to {receive} {det}* {msgs}"}, // don't want to get texts
	{level: RevocationClear, pattern: "{neg} want|wish {who} to {base} {me}"},       // I don't want you to text me
	{level: RevocationClear, pattern: "{neg} want|wish to be texted|contacted|messaged|emailed"},
	{level: RevocationClear, pattern: "no more {det}* {msgs}|contact|texting|messaging|emailing", notAfter: "{received}"}, // no more messages
	{level: RevocationClear, pattern: "no {msgs} please"},                                                                 // no texts please
	{level: RevocationClear, pattern: "enough with? {det}* {msgs}"},                                                       // enough with the texts
	{level: RevocationClear, pattern: "done with {det}* {msgs}"},                                                          // I'm done with these texts
	{level: RevocationClear, pattern: "{det}* {msgs} need|must|have|has|gotta to? stop"},
	{level: RevocationClear, pattern: "make {det}* {msgs} stop"},         // make these texts stop
	{level: RevocationClear, pattern: "{rm} {me} {from} {det}* {listn}"}, // take me off your list
	{level: RevocationClear, pattern: "{rm} this|my phone? number|name|email address? {from}? {det}* {listn}"},
	{level: RevocationClear, pattern: "{fill}* remove|delete|drop|unenroll {me} {fill}*", alone: true}, // remove me please
	{level: RevocationClear, pattern: "{fill}* take|get {me} off {fill}*", alone: true},                // take me off
	{level: RevocationClear, pattern: "{fill}* {rm} this|my phone? number|email {fill}*", alone: true}, // delete my number
	{level: RevocationClear, pattern: "{rm} {me} {from} {det}* {msgs}"},                                // take me off these texts
	{level: RevocationClear, pattern: "removed|taken {from} {det}* {listn}|{msgs}"},                    // I'd like to be taken off your list
	{level: RevocationClear, pattern: "{want} to be removed|unsubscribed {fill}*"},
	{level: RevocationClear, pattern: "lose|forget my number"}, // lose my number
	{level: RevocationClear, pattern: "cease and desist"},
	{level: RevocationClear, pattern: "{halt} reaching out {me}?"}, // stop reaching out
	{level: RevocationClear, pattern: "{neg} reach out to? {me}"},
	{level: RevocationClear, pattern: "unsubscribe"},                                                      // unsubscribe me
	{level: RevocationClear, pattern: "optout"},                                                           // I want to opt out
	{level: RevocationClear, pattern: "opt {me} out"},                                                     // opt me out
	{level: RevocationClear, pattern: "already unsubscribed|optedout"},                                    // I already unsubscribed
	{level: RevocationUnclear, pattern: "unsubscribed|optedout", notAfter: "youre"},                       // not carepath's own "You're unsubscribed"
	{level: RevocationClear, pattern: "stopall|revoke"},                                                   // I revoke my consent
	{level: RevocationClear, pattern: "withdraw my? consent"},                                             // I withdraw consent
	{level: RevocationClear, pattern: "{neg} consent"},                                                    // I do not consent
	{level: RevocationClear, pattern: "appreciate it? if you|u could|would? stop|stopped {ing}|{gerrcv}"}, // I'd appreciate it if you stopped texting me                                             // I no longer consent
	{level: RevocationClear, pattern: "told|asked you|u to? stop"},                                        // I told you to stop
	{level: RevocationClear, pattern: "i already? said|replied|texted|sent|typed|wrote stop"},             // I said stop
	// English, unclear: may be a revocation; a person decides.
	{level: RevocationUnclear, pattern: "{halt} these|this|them|it|that", notAfter: "{self}"}, // can you stop these?
	{level: RevocationUnclear, pattern: "how do|can|could i stop|end these|this|them|it"},
	{level: RevocationUnclear, pattern: "{halt} calling {me}?"}, // calls are not what carepath sends
	{level: RevocationUnclear, pattern: "{halt} {ing} so|too many|much|often"},
	{level: RevocationUnclear, pattern: "didnt|never sign|signed up for? this|these|them|it"}, // I didn't sign up for this
	{level: RevocationUnclear, pattern: "didnt|never sign|signed up for? {det}* {msgs}"},
	{level: RevocationUnclear, pattern: "i? didnt|never sign|signed up {fill}*", alone: true},
	{level: RevocationUnclear, pattern: "chill|ease with|on? {det}* {msgs}"}, // chill with the texts
	{level: RevocationUnclear, pattern: "{neg} call {me}"},                   // don't call me (text me instead?)
	{level: RevocationUnclear, pattern: "{neg} need|like {det}* {msgs}"},     // I don't need reminders
	{level: RevocationUnclear, pattern: "too|so many {det}* {msgs}"},         // too many messages
	{level: RevocationUnclear, pattern: "way? too many", alone: true},        // too many
	{level: RevocationUnclear, pattern: "why {aux} {who}? keep? {ing}"},      // why do you keep texting me
	{level: RevocationUnclear, pattern: "why {aux} i keep|still? {gerrcv}"},  // why do I keep getting these
	{level: RevocationUnclear, pattern: "{who} guys? keep|keeps {ing} {me}", notAfter: "can could will would please"},
	{level: RevocationUnclear, pattern: "who gave {who}? my number|email|info"},                        // who gave you my number
	{level: RevocationUnclear, pattern: "how|where did {who} get my number|email|info"},                // how did you get my number
	{level: RevocationUnclear, pattern: "i? {neg} want these|this|them|that|any|anymore", alone: true}, // I don't want these
	{level: RevocationUnclear, pattern: "leave {me} alone"},                                            // leave me alone
	{level: RevocationUnclear, pattern: "go away"},
	{level: RevocationUnclear, pattern: "wrong number|person"},
	{level: RevocationUnclear, pattern: "not your|a patient"}, // I'm not your patient
	{level: RevocationUnclear, pattern: "i? {neg} know you|u {fill}*", alone: true},
	{level: RevocationUnclear, pattern: "spam"},
	{level: RevocationUnclear, pattern: "{det}* {msgs} are|is too? much|annoying|excessive|harassment"},
	{level: RevocationUnclear, pattern: "not interested in {det}* {msgs}"},
	{level: RevocationUnclear, pattern: "{fill}* enough already?", alone: true},
	{level: RevocationUnclear, pattern: "{fill}* no more {fill}*", alone: true},
	{level: RevocationUnclear, pattern: "make these|this|them|it stop"},
	{level: RevocationUnclear, pattern: "{rm} {me} {from} {det}* program|study|service|group|this"},
	{level: RevocationUnclear, pattern: "i want out"},
	{level: RevocationUnclear, pattern: "do not disturb"},
	{level: RevocationUnclear, pattern: "cancel|end|quit|alto|baja|basta|enough|remove", alone: true}, // in email, or high/low in Spanish
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
	{level: RevocationClear, pattern: "{esrm} mi numero|correo"}, // borren mi número
	{level: RevocationClear, pattern: "me quiten|saquen|borren|eliminen de {esdet}* lista|listas|sistema|base"},
	{level: RevocationClear, pattern: "salir de {esdet}* lista"},                         // quiero salir de la lista
	{level: RevocationClear, pattern: "no quiero recibir|tener? mas? {esdet}* {esmsgs}"}, // no quiero recibir más mensajes
	{level: RevocationClear, pattern: "no quiero recibir mas|nada"},                      // ya no quiero recibir más
	{level: RevocationClear, pattern: "no quiero que me {esimp}"},                        // no quiero que me escriban
	{level: RevocationClear, pattern: "no me sigan|siga|sigas {esger}"},                  // ya no me sigan escribiendo
	{level: RevocationClear, pattern: "no quiero que me sigan|siga {esger}"},
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
	{level: RevocationUnclear, pattern: "no soy paciente|su paciente"},
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
	"textng": "texting", "txtn": "texting", "textn": "texting", "textting": "texting", "txtng": "texting", "tetxing": "texting", "textimg": "texting",
	"msg": "message", "mesage": "message", "messege": "message", "massage": "message", "mssg": "message",
	"msgs": "messages", "msges": "messages", "mssgs": "messages", "messeges": "messages", "mesages": "messages",
	"messags": "messages", "messges": "messages", "massages": "messages", "mesgs": "messages", "messagess": "messages",
	"msging": "messaging", "messeging": "messaging", "mesaging": "messaging", "messagin": "messaging", "messageing": "messaging",
	"emial": "email", "emailin": "emailing", "emailng": "emailing",
	"contactin": "contacting", "sendin": "sending", "sendng": "sending", "botherin": "bothering", "spammin": "spamming",
	"plz": "please", "pls": "please", "plez": "please", "pleas": "please", "pleae": "please", "plse": "please",
	"plss": "please", "pleez": "please", "pleaze": "please", "pleasee": "please", "plox": "please",
	"u": "you", "w": "with", "ur": "your", "yr": "your", "r": "are", "wat": "what",
	"donot": "dont", "dnt": "dont", "cannot": "cant",
	"nomore": "no more", "anymoree": "anymore", "anymor": "anymore", "no1": "no one",
	"unsubscibe": "unsubscribe", "unsubcribe": "unsubscribe", "unsuscribe": "unsubscribe", "unsubscrib": "unsubscribe",
	"unsubsribe": "unsubscribe", "unsubscrive": "unsubscribe", "unsub": "unsubscribe", "unsubscribeme": "unsubscribe me",
	"desuscribir": "unsubscribe", "desuscribirme": "unsubscribe", "desuscribanme": "unsubscribe", "desuscribeme": "unsubscribe",
	"desubscribir": "unsubscribe", "desubscribirme": "unsubscribe", "desinscribirme": "unsubscribe",
	"msj": "mensaje", "msjs": "mensajes", "mjs": "mensajes", "mensages": "mensajes", "menajes": "mensajes",
	"mensjes": "mensajes", "mesajes": "mensajes", "mensage": "mensaje",
	"q": "que", "k": "que", "xq": "por que", "porque": "por que", "pq": "por que",
	"enbien": "envien", "escrivan": "escriban", "escrivirme": "escribirme",
	"quitemne": "quitenme", "kitenme": "quitenme", "quitenmen": "quitenme",
}

// revocationPairs are two-word forms read as one word.
var revocationPairs = map[[2]string]string{
	{"do", "not"}: "dont", {"did", "not"}: "didnt", {"can", "not"}: "cant", {"will", "not"}: "wont",
	{"does", "not"}: "doesnt", {"opt", "out"}: "optout", {"opted", "out"}: "optedout", {"any", "more"}: "anymore",
	{"e", "mail"}: "email", {"e", "mails"}: "emails", {"no", "longer"}: "nolonger", {"un", "subscribe"}: "unsubscribe",
}

// Guard words (see guarded and ParseRevocation).
var (
	// Negators negate a match right after them ("don't stop texting me"),
	// or with a wish or a saying before it ("I don't want you to stop …").
	revocationNegators = wordSet("not never dont cant wont didnt doesnt shouldnt wouldnt isnt arent aint nunca jamas")
	revocationWantSay  = wordSet("want wanted need needed mean meant ask asking asked say said saying think thought tell told telling")
	revocationObjects  = wordSet("you u them anyone yall him her") // who may stand between: "don't want (you) to"
	// "no" negates a Spanish intent verb right after it ("no dejen de escribirme").
	revocationNoNegates = wordSet(revocationClasses["esdejar"] + " " + revocationClasses["esquit"] + " " + revocationClasses["esinfme"])
	// Medicines, symptoms and treatments: one right after a match means
	// the patient is talking about their care, never their consent.
	revocationMedical = wordSet("med meds medication medications medicine medicines pill pills insulin metformin dose doses " +
		"drug drugs tablet tablets prescription prescriptions refill refills pain bleeding cough coughing antibiotic antibiotics " +
		"inhaler treatment therapy bandage dressing lens lenses taking eating drinking smoking shots shot injection injections " +
		"surgery procedure pastilla pastillas medicina medicinas medicamento medicamentos receta recetas insulina dosis dolor " +
		"tratamiento tomar hospital er urgencias emergencias especialista doctor doctora medico clinica")
	// A keyword quoted back from an instruction ("reply STOP to opt out"):
	// the clause is skipped.
	revocationInstructVerb = wordSet("reply text send respond type responda responde envie escriba")
	revocationInstructWord = wordSet("stop start help unsubscribe optout yes quit cancel end alto")
	// A clause that says it was a mistake is skipped ("I texted STOP by accident").
	revocationMistake = wordSet("mistake accident accidentally accidently error")
	// These leave a clear match only unclear: a condition before it; a
	// complaint about frequency in its clause; a time, language or kind of
	// mail after it (a preference: "don't text me before 8", "no me escriba
	// en inglés"); someone else's messages after it ("unsubscribe from the
	// pharmacy emails").
	revocationConditional = wordSet("if unless whether")
	revocationFrequency   = [][]string{{"so", "many"}, {"so", "often"}, {"so", "much"}, {"as", "many"}, {"that", "many"},
		{"too", "often"}, {"so", "frequently"}, {"tantos"}, {"tantas"}, {"tan", "seguido"}, {"tan", "seguidos"}, {"every", "day"}}
	revocationQualifier = wordSet("after before during until early late night nights morning mornings weekend weekends " +
		"work english spanish ingles espanol noche noches manana mananas temprano tarde despues antes durante hasta trabajo " +
		"paper bill bills statement statements letter letters while al")
	// What a request is about, when it is not messages: "don't text me the
	// results" asks for another channel for them, not for silence. A
	// determiner right after a match, not followed by a messaging word,
	// leaves it unclear; so does "for" (a purpose or a time: "stop the
	// reminders for the prep", "for now") unless for good.
	revocationContentDet = wordSet("the my your his her that those results info information details")
	revocationForever    = wordSet("good real ever")
	revocationThirdParty = wordSet("pharmacy pharmacies insurance insurer bank store school walgreens cvs amazon other another " +
		"farmacia seguro banco")
)

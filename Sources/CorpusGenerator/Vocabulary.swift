/// Word lists for generated news text. Words are drawn with a Zipf-like skew so the text
/// compresses about as well as real English prose (zlib: roughly 2.5 to 3 times).
enum Vocabulary {
    static let common: [String] = """
    the of and to a in that is was he for it with as his on be at by had are but from or have an they which \
    one you were her all she there would their we him been has when who will more no if out so said what up its \
    about into than them can only other new some could time these two may then do first any my now such like our \
    over man me even most made after also did many before must through back years where much your way well down \
    should because each just those people how too little state good very make world still own see men work long get \
    here between both life being under never day same another know while last might us great old year off come since \
    against go came right used take three states himself few house use during without again place around however \
    home small found thought went say part once general high upon school every does got united left number course war \
    until always away something fact though water less public put think almost hand enough far took head yet government \
    system better set told nothing night end why called didn't eyes find going look asked later knew point next city \
    business give group toward young days let room president side social given present several order national possible \
    rather second face per among form important often things early others felt become case help seemed free members \
    council minister officials police court report week month spokesperson agreement company workers union budget \
    election vote residents community hospital health service services plan policy law support local region county \
    economy market prices costs fuel energy transport ferry bridge library school teachers students families children \
    according statement told reporters confirmed announced expected warned added described called interview meeting \
    decision proposal project funding million billion percent increase decrease average figures data survey study
    """.split(separator: " ").map(String.init)

    /// A long tail of rarer words (made from syllables, deterministic), as real prose has.
    static let rare: [String] = {
        let onsets = ["b", "br", "c", "cl", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p", "pr", "r", "s", "st", "t", "tr", "v", "w"]
        let vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
        let codas = ["", "n", "r", "l", "s", "t", "nd", "rt", "st", "ck", "m"]
        let endings = ["", "ing", "ed", "er", "ion", "ity", "al", "ment", "ly", "s"]
        var words: [String] = []
        var state: UInt64 = 12345
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        while words.count < 6000 {
            var w = ""
            for _ in 0..<(1 + next(2)) { w += onsets[next(onsets.count)] + vowels[next(vowels.count)] + codas[next(codas.count)] }
            words.append(w + endings[next(endings.count)])
        }
        return words
    }()

    /// Common multi-word phrases of news prose; real text repeats these, and so compresses.
    static let phrases: [String] = [
        "according to the", "said in a statement", "on Tuesday", "on Wednesday", "on Thursday", "last week", "this year",
        "the city council", "more than", "at least", "in the past", "for the first time", "as well as", "the number of",
        "one of the", "said on", "told reporters", "a spokesperson for the", "the state government", "is expected to",
        "in a statement", "the company said", "officials said", "it was not clear", "did not respond to a request for comment",
        "over the next", "in recent years", "the end of the", "the rest of the", "a member of the", "as part of the",
        "the prime minister", "the local authority", "the union said", "the ministry of", "the board voted",
        "residents said", "people familiar with the matter", "has not yet", "will continue to", "according to figures from",
        "in the coming weeks", "earlier this month", "at the time", "the report found", "the police said",
        "the decision was", "the proposal would", "a public hearing", "the regional council", "by the end of the year",
        "compared with", "percent of", "million in", "the meeting on", "the vote on", "the plan to", "the cost of",
        "the first time since", "a second time", "in response to", "in an interview", "on social media", "the two sides",
    ]

    static let firstNames = ["Ines", "Dev", "Marta", "Tomasz", "Anneli", "Lucia", "Kofi", "Yuki", "Priya", "Omar", "Sven", "Aiko",
                             "Rosa", "Hamid", "Elena", "Jonas", "Nadia", "Carlos", "Mei", "Tariq", "Greta", "Ravi", "Zofia", "Liam"]
    static let lastNames = ["Calloway", "Raman", "Quill", "Ekberg", "Sorvo", "Ferrand", "Mensah", "Tanaka", "Iyer", "Haddad",
                            "Lindqvist", "Sato", "Moreno", "Karimi", "Petrova", "Berg", "Aziz", "Ruiz", "Chen", "Rahman",
                            "Novak", "Okafor", "Dubois", "Walsh"]
    static let places = ["Northport", "Eastvale", "Millbrook", "Harrow Bay", "Kestrel Point", "Ashford", "Linden", "Stonebridge",
                         "Westmere", "Oakridge", "Brightwater", "Fenwick", "Redcliff", "Thornbury", "Glenhaven", "Marlow"]
    static let outlets = ["harbour-gazette", "northern-ledger", "valley-times", "coastal-wire", "metro-daily", "evening-courier",
                          "the-observer-post", "river-city-news", "highland-herald", "capital-dispatch", "westmere-record",
                          "daily-beacon", "weekly-sentinel", "plains-tribune", "island-examiner", "union-star",
                          "morning-chronicle", "lakeside-journal", "borough-bulletin", "frontier-press"]
    static let sections = ["politics", "business", "local", "world", "health", "transport", "education", "environment", "culture", "sport"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                         "November", "December"]
}

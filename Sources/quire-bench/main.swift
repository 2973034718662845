import CorpusGenerator
import Foundation
let args = CommandLine.arguments
let corpus = NewsCorpus(articles: Int(args[1])!)
let s = try corpus.write(to: args[2])
print(s)

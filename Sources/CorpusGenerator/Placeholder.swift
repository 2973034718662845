public enum CorpusGeneratorPlaceholder {}

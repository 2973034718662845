extension Array where Element: Comparable {
    /// In an array sorted ascending: the index of `value`, or nil when it is not there (a binary
    /// search, so a million row ids are searched in 20 steps without a set beside them).
    func sortedIndex(of value: Element) -> Int? {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < count && self[low] == value ? low : nil
    }
}

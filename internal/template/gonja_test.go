package template_test

import "github.com/nikolalohinski/gonja/v2/builtins"

func gonjaHasFilter(name string) bool { return builtins.Filters.Exists(name) }

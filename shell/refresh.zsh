zmodload zsh/datetime 2>/dev/null
autoload -Uz add-zsh-hook && add-zsh-hook precmd __rsume_refresh

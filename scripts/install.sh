#!/usr/bin/env bash
# Builds rsume and installs it for this user: the binary in ~/.local/bin (or PREFIX/bin), the
# man page in PREFIX/share/man/man1, completions where bash-completion, zsh and fish look for
# them. Then prints the one line for your shell's startup file, or adds it with --modify-rc.
# Running it again changes nothing; --uninstall removes what it installed. docs/install.md.
#
#   scripts/install.sh [--prefix DIR] [--shell bash|zsh|fish] [--modify-rc] [--binary FILE]
#   scripts/install.sh --uninstall [--prefix DIR] [--shell bash|zsh|fish]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

usage() {
    sed -n '7,8s/^#  //p' "$0" >&2
    exit 2
}
fail() {
    echo "install: $*" >&2
    exit 1
}

prefix=$HOME/.local
shell_name=$(basename "${SHELL:-bash}")
modify_rc=false uninstall=false binary=""
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || usage; prefix=$2; shift ;;
        --shell) [ $# -ge 2 ] || usage; shell_name=$2; shift ;;
        --binary) [ $# -ge 2 ] || usage; binary=$2; shift ;;
        --modify-rc) modify_rc=true ;;
        --uninstall) uninstall=true ;;
        -h | --help) usage ;;
        *) echo "install: unknown option '$1'" >&2; usage ;;
    esac
    shift
done
case $shell_name in
    bash | zsh | fish) ;;
    *) fail "no startup line for shell '$shell_name'; pass --shell bash, zsh or fish" ;;
esac
$uninstall || mkdir -p "$prefix" || fail "cannot create the prefix $prefix"
if [ -d "$prefix" ]; then prefix=$(cd "$prefix" && pwd); fi

data_home=${XDG_DATA_HOME:-$HOME/.local/share}
config_home=${XDG_CONFIG_HOME:-$HOME/.config}
bin_dir=$prefix/bin
man_page=$prefix/share/man/man1/rsume.1
zsh_dir=$prefix/share/zsh/site-functions
# Where each shell looks for rsume's completion (a function: macOS's bash 3 has no maps).
completion() {
    case $1 in
        bash) echo "${BASH_COMPLETION_USER_DIR:-$data_home/bash-completion}/completions/rsume" ;;
        zsh) echo "$zsh_dir/_rsume" ;;
        fish) echo "$config_home/fish/completions/rsume.fish" ;;
    esac
}
case $shell_name in
    bash) rc=$HOME/.bashrc ;;
    zsh) rc=${ZDOTDIR:-$HOME}/.zshrc ;;
    fish) rc=$config_home/fish/config.fish ;;
esac
# Marks the line this script adds, so --uninstall removes that line and nothing else; with
# `created`, also the file, when that line was all it held.
marker="# added by rsume install"
created="; it created this file"
marked_line="$marker($created)?\$"

# `~/x` for messages.
show() { case $1 in "$HOME"/*) echo "~${1#"$HOME"}" ;; *) echo "$1" ;; esac; }

# A path as a word for bash or zsh, followed by `tail` (expanded): "$HOME/...tail" when that
# reads plainly, else the path single-quoted.
posix_word() {
    local tail=${2:-}
    case $1 in "$HOME"/*)
        local rest=${1#"$HOME"/}
        [[ $rest =~ ^[A-Za-z0-9._/-]+$ ]] && { echo "\"\$HOME/$rest$tail\""; return; } ;;
    esac
    echo "'${1//\'/\'\\\'\'}'${tail:+\"$tail\"}"
}
# The same for fish, whose single quotes take \\ and \' as escapes.
fish_word() {
    case $1 in "$HOME"/*)
        local rest=${1#"$HOME"/}
        [[ $rest =~ ^[A-Za-z0-9._/-]+$ ]] && { echo "~/$rest"; return; } ;;
    esac
    local text=${1//\\/\\\\}
    echo "'${text//\'/\\\'}'"
}

# The line for the startup file: the wrapper function, plus whatever makes `rsume` and its
# zsh completion findable from there.
startup_line() {
    local path_part="" on_path=false
    case ":$PATH:" in *":$bin_dir:"*) on_path=true ;; esac
    case $shell_name in
        bash | zsh)
            # Each only when missing, so loading the startup file again adds nothing.
            $on_path || path_part="case \":\$PATH:\" in *:$(posix_word "$bin_dir"):*) ;; *) export PATH=$(posix_word "$bin_dir" ':$PATH') ;; esac; "
            if [ "$shell_name" = zsh ] && [ -e "$(completion zsh)" ]; then
                # Works before or after compinit: compinit finds _rsume in fpath; once it
                # has run, compdef registers it.
                path_part+="() { (( \${fpath[(Ie)\$1]} )) || fpath=(\"\$1\" \$fpath) } $(posix_word "$zsh_dir"); autoload -Uz _rsume; "
                path_part+="(( \$+functions[compdef] )) && compdef _rsume rsume; "
            fi
            echo "${path_part}eval \"\$(rsume init $shell_name)\"  $marker" ;;
        fish)
            $on_path || path_part="fish_add_path --path $(fish_word "$bin_dir"); "
            echo "${path_part}rsume init fish | source  $marker" ;;
    esac
}

# Replaces `dest` with `source` unless they are the same bytes: a temporary file in the same
# directory, then a rename, so a reader never sees half a file.
place() {
    local source=$1 dest=$2 mode=$3
    if cmp -s "$source" "$dest"; then
        echo "  unchanged  $(show "$dest")"
        return
    fi
    local state=new
    [ -e "$dest" ] && state=updated
    mkdir -p "$(dirname "$dest")"
    local tmp
    tmp=$(mktemp "$(dirname "$dest")/.rsume.XXXXXX")
    cp "$source" "$tmp"
    chmod "$mode" "$tmp"
    mv -f "$tmp" "$dest"
    printf '  %-9s  %s\n' "$state" "$(show "$dest")"
}

remove() {
    if [ -e "$1" ]; then
        rm -f "$1"
        echo "  removed    $(show "$1")"
    fi
}

# Rewrites the startup file through a copy that keeps its mode (a new one gets the mode the
# user's umask gives, as an editor would make it), then a rename; a symlinked file (a dotfiles
# repository) is edited where it points.
edit_rc() {
    local target
    target=$(readlink -f "$rc" 2>/dev/null || echo "$rc")
    mkdir -p "$(dirname "$target")"
    local tmp
    tmp=$(mktemp "$(dirname "$target")/.rsume-rc.XXXXXX")
    if [ -e "$target" ]; then
        cp -p "$target" "$tmp"
    else
        chmod "$(printf '%o' $((0666 & ~$(umask))))" "$tmp"
    fi
    "$@" "$target" "$tmp"
    mv -f "$tmp" "$target"
}
# A file whose last line has no newline keeps it that way: the line goes after a newline
# instead, so that removing it restores the file byte for byte.
append_line() {
    if [ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ]; then
        printf '\n%s' "$line" >>"$2"
    else
        printf '%s\n' "$line" >>"$2"
    fi
}
drop_marked_lines() {
    MARKER=$marker CREATED=$created perl -0777 -pe '
        my $end = qr/\Q$ENV{MARKER}\E(?:\Q$ENV{CREATED}\E)?/;
        s/^[^\n]*$end\n//mg; s/(?:^|\n)[^\n]*$end\z//' "$1" >"$2"
}
loads_wrapper() { [ -e "$rc" ] && grep -Eq "^[^#]*rsume init $shell_name" "$rc"; }

if $uninstall; then
    echo "Removing rsume from $(show "$prefix"):"
    remove "$bin_dir/rsume"
    remove "$man_page"
    for shell in bash zsh fish; do remove "$(completion "$shell")"; done
    if [ -e "$rc" ] && grep -Eq "$marked_line" "$rc"; then
        echo "  removing from $(show "$rc"):"
        grep -E "$marked_line" "$rc" | sed 's/^/    /'
        made_it=false
        grep -q "$marker$created\$" "$rc" && made_it=true
        edit_rc drop_marked_lines
        # The file the install created, now empty again, goes too (a link is left alone).
        if $made_it && [ ! -s "$rc" ] && [ ! -L "$rc" ]; then
            rm -f "$rc"
            echo "  removed    $(show "$rc") (the install created it, and nothing else is in it)"
        fi
    elif loads_wrapper; then
        echo "  $(show "$rc") still loads the wrapper (a line this script did not add): remove it by hand"
    fi
    echo "Your AWS files and rsume's cache (~/.cache/rsume) are left as they are."
    exit 0
fi

if [ -z "$binary" ]; then
    command -v cargo >/dev/null || fail "cargo is not installed; get Rust from https://rustup.rs"
    echo "Building rsume (cargo build --release --locked)..."
    # Cargo names the binary it built: the path depends on the target dir and the target.
    binary=$(cd "$repo" && cargo build --release --locked --message-format=json-render-diagnostics |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
    [ -n "$binary" ] || fail "cargo build printed no binary"
fi
[ -x "$binary" ] || fail "$binary is not an executable"
"$binary" --version >/dev/null || fail "$binary does not run"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "Installing $("$binary" --version) into $(show "$prefix"):"
place "$binary" "$bin_dir/rsume" 755
if [ -e "$repo/docs/rsume.1" ]; then
    place "$repo/docs/rsume.1" "$man_page" 644
else
    echo "  skipped    the man page: this checkout has no docs/rsume.1"
fi
for shell in bash zsh fish; do
    if "$binary" completions "$shell" >"$work/$shell" 2>/dev/null; then
        place "$work/$shell" "$(completion "$shell")" 644
    else
        echo "  skipped    $shell completions: this rsume has no \`completions\` command"
    fi
done

line=$(startup_line)
if loads_wrapper; then
    echo "$(show "$rc") already loads rsume's wrapper: unchanged."
elif $modify_rc; then
    [ -e "$rc" ] || line+=$created
    echo "Adding to $(show "$rc"):"
    echo "  $line"
    edit_rc append_line
    echo "Open a new shell (or run that line) to use it: rsume PROFILE"
else
    echo "Add this line to $(show "$rc") (or run again with --modify-rc), then open a new shell:"
    echo
    echo "  $line"
fi
# zsh completes rsume only once compinit has run (it defines compdef); a fresh ~/.zshrc
# does not run it. The wrapper registers the completion at the first prompt after it.
if [ "$shell_name" = zsh ] && ! { [ -e "$rc" ] && grep -Eq '^[^#]*compinit' "$rc"; }; then
    echo "zsh completes commands (rsume ad<Tab>) only once compinit has run; $(show "$rc") does not"
    echo "run it. Add this line to it, before or after rsume's line:"
    echo
    echo "  autoload -Uz compinit && compinit"
fi
